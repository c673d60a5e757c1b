"""The project's mutation check (`python3 run.py mutate`, `make mutate`): see runner.py."""
