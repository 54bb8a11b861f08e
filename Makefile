# Convenience targets; the README's two commands work without make.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test bench tables report-preview lint

$(BIN)/fta-compare: pyproject.toml
	python3 -m venv $(VENV) && $(BIN)/pip install -q -e ".[test]"

run: $(BIN)/fta-compare
	$(BIN)/fta-compare run --depth-channel --force

test: $(BIN)/fta-compare
	$(BIN)/python -m pytest

lint: $(BIN)/fta-compare
	$(BIN)/ruff check src tests benchmarks scripts

bench: $(BIN)/fta-compare
	$(BIN)/python benchmarks/run_all.py

tables: $(BIN)/fta-compare
	$(BIN)/python scripts/build_tariff_tables.py

# PNG previews of the summary sheet of outputs/comparison.xlsx (needs libreoffice, pdftoppm)
report-preview: $(BIN)/fta-compare
	$(BIN)/python scripts/report_preview.py outputs/comparison.xlsx outputs/preview
