# The two commands of the README.
.PHONY: run cluster test test-fast check chat bench faults

run:   ## install what is missing, train if data/config changed, start everything
	bash scripts/run.sh

cluster: ## the production topology here: HAProxy, two Rasa replicas, two action servers, real stores (docs/cluster.md)
	bash scripts/cluster.sh

test:  ## every check, cheapest first, stopping at the first failure: make check, the fast tier, then e2e + browser
	bash scripts/test.sh

test-fast: ## the tests that need no trained model and no browser (a few minutes)
	bash scripts/setup.sh && bash scripts/test_fast.sh

check: ## ruff, ruff format --check, mypy (kernel, bot, actions), import contracts, rasa data validate
	bash scripts/setup.sh && bash scripts/check.sh

chat:  ## talk to the running assistant in this terminal (REST channel)
	.venv/bin/python scripts/chat.py

bench: ## NLU benchmark against Rasa's plain Chinese pipeline (docs/benchmarks.md)
	.venv/bin/python benchmarks/nlu_benchmark.py

faults: ## the fault suite (docs/faults.md): parts stopped, hung and killed under real processes
	bash scripts/setup.sh && TF_DETERMINISTIC_OPS=1 PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=2 .venv/bin/pytest -p no:cacheprovider tests/faults

