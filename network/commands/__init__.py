"""The commands of ``taihang``, by what they do; each registers itself on :func:`network.cli.main`
(imported at the end of :mod:`network.cli`)."""
