"""The direction-word convention, written down once (docs/concepts/directions.md).

Every stage that produces or reads a direction calls this package, so that "left" means
the same thing everywhere. :mod:`.conventions` holds the convention and the conversions
between measurements and words; :mod:`.grammar` reads direction statements out of free
text (with the word classes of :mod:`.lexicon` and the verb frames of :mod:`.frames` and
:mod:`.places`); :mod:`.swap` makes instructions with deliberately swapped directions.
"""

from .conventions import *  # noqa: F401,F403
from .conventions import OPPOSITE, opposite  # noqa: F401
from .grammar import find_statements, read  # noqa: F401
from .statement import DirectionStatement  # noqa: F401
from .swap import swap_direction_words  # noqa: F401
