"""The test suite (a package: the mpl-font wheel installs a top-level ``tests`` package of its own,
which would shadow a plain folder of tests; see docs/TOOLCHAIN.md)."""
