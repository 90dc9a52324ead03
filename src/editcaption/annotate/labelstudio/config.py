"""The labelling config (XML) the exported tasks are annotated with in Label Studio.

Two ``<Image>`` tags side by side, the model's instruction as text, an editable ``<TextArea>``
pre-filled from the task (``value="$instruction"``) and, for preference work, ``<Choices>`` for
the verdict and, shown only when the verdict is "corrected", the failure type and severity.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from .common import LabelStudioError

CONFIG_KINDS = ("refine", "prefer")


def labeling_config(kind: str = "prefer") -> str:
    """The Label Studio labelling config (XML) for refine or prefer work."""
    if kind not in CONFIG_KINDS:
        raise LabelStudioError(f"config kind must be one of {', '.join(CONFIG_KINDS)}")
    root = ET.Element("View")
    ET.SubElement(root, "Header", value="Source (left) and target (right)")
    grid = ET.SubElement(root, "View", style="display: grid; grid-template-columns: 1fr 1fr; column-gap: 8px")
    for name in ("source", "target"):
        ET.SubElement(grid, "Image", name=name, value=f"${name}_image", zoom="true", zoomControl="true")
    ET.SubElement(root, "Header", value="Model instruction")
    ET.SubElement(root, "Text", name="model_instruction", value="$model_instruction")
    if kind == "prefer":
        verdict = ET.SubElement(root, "Choices", name="verdict", toName="target", choice="single-radio",
                                required="true", showInline="true")
        ET.SubElement(verdict, "Choice", value="correct", hotkey="c")
        ET.SubElement(verdict, "Choice", value="corrected", hotkey="e")
    ET.SubElement(root, "Header", value="Instruction — edit it until it states exactly what changed "
                                        "(semantic accuracy, explicit left/right, fine-grained attributes)")
    ET.SubElement(root, "TextArea", name="instruction", toName="target", value="$instruction", editable="true",
                  rows="4", maxSubmissions="1", required="true")
    if kind == "prefer":
        block = ET.SubElement(root, "View", visibleWhen="choice-selected", whenTagName="verdict",
                              whenChoiceValue="corrected")
        failure = ET.SubElement(block, "Choices", name="failure_type", toName="target", choice="single-radio",
                                showInline="true")
        for value, key in (("orientation", "o"), ("viewpoint", "v"), ("detail", "d")):
            ET.SubElement(failure, "Choice", value=value, hotkey=key)
        severity = ET.SubElement(block, "Choices", name="severity", toName="target", choice="single-radio",
                                 showInline="true")
        for value, key in (("P0", "0"), ("P1", "1"), ("P2", "2")):
            ET.SubElement(severity, "Choice", value=value, hotkey=key)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"

