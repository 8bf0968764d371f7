"""Comprehension-tested simplification (issue 20 part 2): multiple-choice questions about a text, and
studies in which each rater reads either the original or the simplified version of each text (never
both), then answers its questions without the text. README: apps/reviews/README.md, "Comprehension
studies".

Modules: `models` (passages, questions, study items, arms, exposures), `texts` (a passage's two texts),
`services` (curators' writes: passages and questions, study creation), `design` (the between-subjects
design and the engine hooks), `reading` (the rater's reading and answers), `results`, `figure`, `views`,
`api`, `forms`.
"""
