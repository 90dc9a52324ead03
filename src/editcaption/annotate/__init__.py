"""The annotation studio: refine, prefer, judge and verify ground truth in a browser.

Importing this package is light (no web framework): the statistics in
:mod:`editcaption.annotate.agreement` and the Table 6 checklist in
:mod:`editcaption.annotate.checklist` are reused by the evaluate stage. The web app lives in
:mod:`editcaption.annotate.app` and is imported only by ``editcaption annotate serve``.
"""
