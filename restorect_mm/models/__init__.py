"""Registered on import."""
from . import editors, losses, retinex  # noqa: F401,E402
from . import priors, rgformer  # noqa: F401,E402
from . import distillation, flows  # noqa: F401,E402
