"""Label Studio interop: export tasks, a labelling config and setup steps; import its exports back.

* :mod:`.config` — the labelling config (two images, the editable instruction, the verdict);
* :mod:`.export` — ``tasks.json``, ``config.xml`` and ``SETUP.md`` for a run's instructions;
* :mod:`.parse` — Label Studio's JSON and JSON_MIN exports read into one shape;
* :mod:`.identity` — who annotated: Label Studio user id and email, named by a user map;
* :mod:`.importer` — versions of each annotation into Refinements and Preferences, revisions applied.
"""

from .common import LabelStudioError, normalize_url
from .config import CONFIG_KINDS, labeling_config
from .export import DEFAULT_IMAGE_URL, SETUP_FILE, ExportReport, export_labelstudio
from .importer import ImportReport, import_labelstudio

__all__ = ["CONFIG_KINDS", "DEFAULT_IMAGE_URL", "SETUP_FILE", "ExportReport", "ImportReport", "LabelStudioError",
           "export_labelstudio", "import_labelstudio", "labeling_config", "normalize_url"]
