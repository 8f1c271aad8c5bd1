"""The model reads code: units from the shared parse, ranked by measured risk, one question per possible defect.

Flow: :mod:`units` (functions, methods, module code) -> :mod:`sites` (where the code has the shape of a defect
kind: a division, a handler that lets a failure through, an open() outside with...) -> :mod:`risk` (rank, with
reasons) -> :mod:`planner` (time budget, concurrency, progress) -> :mod:`ask` (one yes/no question per site,
behind the unit as a shared prefix) -> :mod:`personas` (routing, one short assessment each) -> :mod:`pipeline`
(the ModelContext).
"""
