"""Evaluation: the Appendix B rubric, LLM judge, human-evaluation statistics and reports."""
