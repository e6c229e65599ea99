"""Free llama.cpp models explicitly before the interpreter shuts down.

``llama_cpp.Llama.__del__`` frees the model through module-level ctypes functions. When a
program ends with a model still loaded, Python tears modules down in no fixed order, so those
functions may already be ``None`` when the destructor runs, and every run ends with
``Exception ignored in: <function Llama.__del__> ... TypeError: 'NoneType' object is not
callable`` on stderr, which reads as a crash. llama-cpp-python's supported remedy is to call
``Llama.close()`` while the process is still intact; ``atexit`` handlers run before module
teardown, and a later ``__del__`` then finds nothing left to free.

Models are found by type rather than through the module that loads them, so the hook keeps
working whichever backend or wrapper created the ``Llama`` object.
"""

from __future__ import annotations

import atexit
import gc
import logging
import sys

log = logging.getLogger(__name__)
_registered = False


def close_llama_models() -> int:
    """Close every live ``llama_cpp.Llama``; returns how many were closed."""
    module = sys.modules.get("llama_cpp.llama")
    llama_type = getattr(module, "Llama", None)
    if llama_type is None:  # llama.cpp never imported: nothing was loaded
        return 0
    closed = 0
    for obj in gc.get_objects():
        # type(), not isinstance(): the latter reads ``__class__``, which some lazy module
        # proxies (torch's) answer with deprecation warnings
        if issubclass(type(obj), llama_type):
            try:
                obj.close()
                closed += 1
            except Exception as exc:  # a half-built model; never fail the exit over it
                log.debug("closing %r failed: %s", obj, exc)
    return closed


def close_models_at_exit() -> None:
    """Register :func:`close_llama_models` to run at exit (once per process)."""
    global _registered
    if not _registered:
        atexit.register(close_llama_models)
        _registered = True


__all__ = ["close_llama_models", "close_models_at_exit"]
