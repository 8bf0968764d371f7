"""Model raters (autoraters): a language model answers a study's rubric for every item, and its answers
are compared with each human group (calibration). Model ratings live in their own table
(`AutoraterRating`) and never enter the human results, agreement or exports of ratings.

Modules: `models` (the run record and its ratings), `prompt` (the versioned prompt built from the rubric,
and the parser that accepts only a JSON object that passes the rubric's own validation), `services`
(start a run, store its ratings), `selectors`, `calibration` (the tables), `api`, `views`. The model
itself runs in the worker (`workers/tasks/autorater.py`, queue gpu).
"""
