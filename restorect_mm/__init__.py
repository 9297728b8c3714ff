"""restorect_mm: RestoRect as an MMagic plugin.

``import restorect_mm`` first makes the frozen OpenMMLab stack work on today's
torch and numpy (:mod:`restorect_mm.compat`), then registers every model, loss,
dataset, transform, metric and hook into MMagic's registries (default scope
``mmagic``), so configs use bare type names and mix freely with MMagic's own.
"""
from . import compat

compat.apply()

compat.make_metric_results_json_safe()
compat.visualize_tests_without_a_train_loop()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .version import __version__  # noqa: E402,F401
