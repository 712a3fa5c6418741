# The two commands a newcomer needs: `make demo` and `make test`.
# Everything else here is what those two are made of.

PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
KAFKA   := deploy/kafka/kafka.sh

.PHONY: demo test setup kafka-fetch lint typecheck schemas-check templates-check unit integration bench kafka-start kafka-stop clean

demo: setup kafka-fetch  ## Run the whole system locally with sample traffic
	$(BIN)/decline-notifier demo

test: setup kafka-fetch lint typecheck schemas-check templates-check  ## Lint, type-check and run every test (starts its own Kafka)
	$(BIN)/pytest -q -p no:cacheprovider

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

kafka-fetch:
	$(KAFKA) fetch

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy streams agents schemas channels demo tests bench

schemas-check: setup
	$(BIN)/python -m schemas.generate --check

templates-check: setup
	$(BIN)/decline-notifier templates check

unit: setup
	$(BIN)/pytest -q -m "not kafka and not smtp"

integration: setup kafka-fetch
	$(BIN)/pytest -q -m "kafka or smtp"

bench: setup kafka-fetch  ## Throughput of the pipeline against the bare aiokafka loop
	$(BIN)/python -m bench.run

kafka-start: kafka-fetch
	$(KAFKA) start

kafka-stop:
	$(KAFKA) stop

clean:
	rm -rf .run .mypy_cache .ruff_cache .pytest_cache
