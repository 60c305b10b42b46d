# The two commands of the README.
.PHONY: run test chat bench

run:   ## install what is missing, train if data/config changed, start everything
	bash scripts/run.sh

test:  ## every check: ruff, rasa data validate, pytest (unit, services, Rasa e2e, browser)
	bash scripts/test.sh

chat:  ## talk to the running assistant in this terminal (REST channel)
	.venv/bin/python scripts/chat.py

bench: ## NLU benchmark against Rasa's plain Chinese pipeline (docs/benchmarks.md)
	.venv/bin/python benchmarks/nlu_benchmark.py
