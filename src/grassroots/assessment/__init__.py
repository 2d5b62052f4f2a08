"""Assessment (目督考核): pure computation of scores, fairness, grades, rewards and diagnostics.

The modules in this package hold no models and touch no database: they take plain dataclasses
and return plain dataclasses, so every rule is fast, deterministic and tested with hypothesis.
"""
