"""Custom Rasa 3.6 NLU components: ChineseNormalizer (before the tokenizer) and
CourtEntityExtractor (rule entities with canonical values, after DIET)."""
