"""One runner for every stage that calls a model: caption, score, eval judge and gt draft.

A stage supplies a :class:`Stage` — how to select its items, (prepare and) call the model on
them, and write the results — and the runner does the rest the same way for all:

* bounded concurrency: items prepared ahead on threads, a fixed number being called at once
  (:class:`LocalExecutor`; or Ray actors on a cluster, :mod:`editcaption.runner.ray_executor`);
* results written by one thread, in batches of whatever has arrived (:class:`BatchWriter`);
* resume: items done before are skipped, failed ones retried on request (:func:`plan`);
* a fatal answer (401/403/404) stops the run; Ctrl-C stops it too, after saving what
  finished; a progress bar advances as results are saved (:func:`run_stage`).
"""

from ..progress import NoProgress, ProgressSink, RichProgress
from .executor import Executor, LocalExecutor
from .run import RunReport, plan, run_stage
from .stage import DONE, FAILED, Finished, Stage, Verdict, one_by_one, workers_for
from .writer import BatchWriter

__all__ = [
    "BatchWriter", "DONE", "Executor", "FAILED", "Finished", "LocalExecutor", "NoProgress", "ProgressSink",
    "RichProgress", "RunReport", "Stage", "Verdict", "one_by_one", "plan", "run_stage", "workers_for",
]
