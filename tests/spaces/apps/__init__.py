"""Test Spaces launched by ../serve.py; each module exposes build() -> (demo, launch_kwargs)."""
