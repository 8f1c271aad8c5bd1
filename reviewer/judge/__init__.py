"""The model reads code: units from the shared parse, ranked by measured risk, judged one prompt per unit.

Flow: :mod:`units` (functions, methods, module code) -> :mod:`risk` (rank, with reasons) -> :mod:`planner`
(time budget, concurrency, progress) -> :mod:`ask` (one prompt per unit, grounding, one AST check per kind,
adjudication) -> :mod:`personas` (routing, one short assessment each) -> :mod:`pipeline` (the ModelContext).
"""
