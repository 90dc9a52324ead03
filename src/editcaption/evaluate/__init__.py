"""Evaluation: the Appendix B rubric, benchmarks, the LLM judge, exact EditWorld scores,
human-evaluation statistics and reports.

Library use mirrors the CLI (``editcaption eval …``, ``editcaption gt draft``, ``editcaption report``)::

    from editcaption.evaluate.benchmarks import prepare_hqedit, prepare_editworld
    from editcaption.evaluate.judge import JudgeConfig, run_judge
    from editcaption.evaluate.exact import score_run_exact
    from editcaption.evaluate.human import human_statistics
    from editcaption.evaluate.report import write_report

    prepare_editworld(ws, n=200, seed=0)
    run_judge(ws, JudgeConfig(judge="openai:gpt-4.1@https://api.openai.com/v1", run="teacher-v1"))
    score_run_exact(ws, "teacher-v1", benchmark="editworld-s0-n200")
    write_report(ws, "report/")

Modules: ``rubric`` (the scoring tables), ``prompts`` (versioned judge prompts),
``judge_request`` / ``judge_findings`` / ``judge`` (requests, reading findings, the run),
``llm_calls`` (one request with one repair), ``benchmarks``, ``gt_draft``, ``exact``,
``scores`` (score rows), ``stats`` and ``human`` (statistics), ``report`` (collect, tables,
charts, Markdown, HTML).
"""
