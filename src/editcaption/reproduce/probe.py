"""The perception probe: does a trained model *see* the fact its instruction should state?

A model can write "pan left" for a pan to the right because it cannot tell the two apart
(a perception error), or because it learned to say it that way (a wording error). The probe
separates the two. For each fact it feeds the model the prompt (both images and the question)
followed by the start of a correct answer, cut just before the word that states the fact —
"Pan the camera to the", "Move the red square", "Change the color of the red square to" — and
reads the hidden states at that last position, where the model decides the word. A linear
classifier fitted on half of the pairs and tested on the other half then says whether the
decision depends on the fact: if it recovers the fact, the model has computed it, whatever word
it then writes. The prefix is the same for every label of a fact (left and right share "Pan the
camera to the"), so it tells the classifier nothing; horizontal and vertical directions are
separate facts for that reason.

Features: the hidden states of the last two layers at that position. The classifier is an
L2-regularised multinomial logistic regression on standardised features (torch, full-batch
L-BFGS). ``chance`` is the share of the most frequent label among the test pairs: what a probe
that learned nothing scores, and what blank images give when the prefix is the same for every
pair (every pair then has the same features).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .annotator import _edit


def _one_edit(row: dict[str, Any]) -> Any:
    changes = (row.get("ground_truth") or {}).get("primary") or []
    return _edit(changes[0]) if len(changes) == 1 else None


def fact_item(fact: str, row: dict[str, Any]) -> tuple[str, str] | None:
    """(answer prefix, label) of ``fact`` for this pair, or None when the fact does not apply."""
    e = _one_edit(row)
    if e is None:
        return None
    horizontal = e.direction in ("left", "right")
    if fact == "camera_or_object" and e.op in ("pan", "move"):
        return "", "camera" if e.op == "pan" else "object"
    if fact == "camera_left_right" and e.op == "pan" and horizontal:
        return "Pan the camera to the", e.direction
    if fact == "camera_up_down" and e.op == "pan" and e.direction in ("up", "down"):
        return "Pan the camera", e.direction
    if fact == "object_left_right" and e.op == "move" and horizontal:
        return f"Move the {e.object} to the", e.direction
    if fact == "object_up_down" and e.op == "move" and e.direction in ("up", "down"):
        return f"Move the {e.object}", e.direction
    if fact == "new_colour" and e.op == "recolor":
        return f"Change the color of the {e.object} to", str(e.after)
    if fact == "zoom" and e.op == "zoom":
        return "Zoom", str(e.direction)
    return None


FACTS = ("camera_or_object", "camera_left_right", "camera_up_down", "object_left_right", "object_up_down",
         "new_colour", "zoom")


@dataclass
class ProbeResult:
    fact: str
    accuracy: float
    chance: float  # majority label's share among the test pairs
    n_fit: int
    n_test: int
    labels: int

    def as_json(self) -> dict[str, Any]:
        return {"fact": self.fact, "accuracy": self.accuracy, "chance": self.chance, "n_fit": self.n_fit,
                "n_test": self.n_test, "labels": self.labels}


def _last_position(model: Any, processor: Any, prompt: str, items: Sequence[tuple[tuple[Any, Any], str]],
                   batch_size: int, **forward: Any) -> Any:
    """Model outputs, batch by batch, for ``items`` = ((source, target) PIL images, answer prefix) shown
    as prompt + prefix, padded on the left so that position -1 is every row's last prefix token."""
    import torch

    from ..prompts import instruction_messages

    tokenizer = getattr(processor, "tokenizer", processor)
    tokenizer.padding_side = "left"
    head = processor.apply_chat_template(instruction_messages(prompt), add_generation_prompt=True, tokenize=False)
    for start in range(0, len(items), batch_size):
        chunk = items[start:start + batch_size]
        inputs = processor(text=[head + prefix for _, prefix in chunk], images=[im for pair, _ in chunk for im in pair],
                           padding=True, return_tensors="pt").to(model.device)
        with torch.inference_mode():
            yield model(**inputs, **forward)


def hidden_features(model: Any, processor: Any, prompt: str, items: Sequence[tuple[tuple[Any, Any], str]],
                    batch_size: int = 16, layers: int = 2) -> Any:
    """[N, layers·hidden] float64: the last ``layers`` hidden states at the last token of prompt +
    answer prefix, for ``items`` = ((source, target) PIL images, answer prefix)."""
    import torch

    out = [torch.cat([h[:, -1] for h in o.hidden_states[-layers:]], dim=-1).double().cpu()
           for o in _last_position(model, processor, prompt, items, batch_size, output_hidden_states=True)]
    return torch.cat(out)


def next_word_probs(model: Any, processor: Any, prompt: str, items: Sequence[tuple[tuple[Any, Any], str]],
                    words: Sequence[str], batch_size: int = 16) -> list[list[float]]:
    """Per item, the probability of each of ``words`` (single tokens after a space) as the next token
    after prompt + answer prefix: what the model would write at the place the probe reads."""
    import torch

    tokenizer = getattr(processor, "tokenizer", processor)
    ids = [tokenizer.encode(f" {w}", add_special_tokens=False) for w in words]
    if any(len(i) != 1 for i in ids):
        raise ValueError(f"these words are not single tokens for this tokenizer: {dict(zip(words, ids, strict=True))}")
    out: list[list[float]] = []
    for o in _last_position(model, processor, prompt, items, batch_size):
        probs = torch.softmax(o.logits[:, -1].float(), dim=-1)
        out += probs[:, [i[0] for i in ids]].tolist()
    return out


def fit_and_test(x_fit: Any, y_fit: list[str], x_test: Any, y_test: list[str], l2: float = 1e-2) -> float:
    """Test accuracy of a logistic-regression probe fitted on (x_fit, y_fit)."""
    import torch

    classes = sorted(set(y_fit))
    if len(classes) == 1:
        return sum(1 for y in y_test if y == classes[0]) / len(y_test)
    index = {c: i for i, c in enumerate(classes)}
    mean, std = x_fit.mean(0), x_fit.std(0).clamp_min(1e-6)
    xf, xt = (x_fit - mean) / std, (x_test - mean) / std
    target = torch.tensor([index[y] for y in y_fit])
    generator = torch.Generator().manual_seed(0)
    weight = (torch.randn(xf.shape[1], len(classes), generator=generator, dtype=torch.float64) * 1e-3).requires_grad_()
    bias = torch.zeros(len(classes), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], max_iter=200, line_search_fn="strong_wolfe")

    def closure() -> Any:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(xf @ weight + bias, target) + l2 * weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        predicted = (xt @ weight + bias).argmax(1).tolist()
    return sum(1 for p, y in zip(predicted, y_test, strict=True) if classes[p] == y) / len(y_test)


def probe(model_dir: Path, prompt: str, rows: Sequence[dict[str, Any]], load_pair: Callable[[dict[str, Any]], Any],
          *, facts: Sequence[str] = FACTS, batch_size: int = 16) -> list[ProbeResult]:
    """Fit and test one probe per fact on ``rows`` (of the pairs a fact applies to, even positions
    fit, odd positions test). ``load_pair(row)`` gives the two PIL images the model is shown (the
    blank control passes a function that returns blank frames)."""
    from ..train.hfcompat import load_model_and_processor

    model, processor = load_model_and_processor(model_dir, device="cpu")
    model.eval()
    images: dict[int, Any] = {}
    results = []
    for fact in facts:
        labelled = [(i, item) for i, row in enumerate(rows) if (item := fact_item(fact, row)) is not None]
        fit, test = labelled[0::2], labelled[1::2]
        if len(fit) < 4 or not test:
            continue
        for i, _ in labelled:
            if i not in images:
                images[i] = load_pair(rows[i])
        x = hidden_features(model, processor, prompt, [(images[i], prefix) for i, (prefix, _) in labelled], batch_size)
        y_fit, y_test = [label for _, (_, label) in fit], [label for _, (_, label) in test]
        accuracy = fit_and_test(x[0::2], y_fit, x[1::2], y_test)
        chance = Counter(y_test).most_common(1)[0][1] / len(y_test)
        results.append(ProbeResult(fact, accuracy, chance, len(fit), len(test), len(set(y_fit) | set(y_test))))
    return results
