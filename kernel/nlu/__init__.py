"""Pure Chinese-text edges of the assistant (no Rasa imports here).

- normalize: `normalize(text)`, `normalize_with_map(text)`, `move_span(map, start, end)`
- casenumber: `find_case_numbers`, `parse_case_number`, `canonical_case_number`, `CaseNumber`
- idcard / creditcode / phone: validation, makers for demo data, finders
- extract: `extract_entities(text)` (Rasa-style dicts) and `find_problems(text)`
- digits: how digit groups written with gaps belong together (shared with kernel.privacy)
"""
