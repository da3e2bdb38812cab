# Plateforme CPOM — commandes de développement. Tout s'installe dans .venv (aucune dépendance système sauf Python 3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ADDRESS ?= 127.0.0.1:8000
SEED ?= 2026

.PHONY: run install setup test lint format clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## setup: migre la base et charge référentiels et données de démonstration (idempotent)
setup: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py load_demo --seed $(SEED)

## run: installe, prépare la base et sert la plateforme sur http://127.0.0.1:8000
run: setup
	$(BIN)/python manage.py runserver $(ADDRESS)

## test: toute la suite de tests (SQLite par défaut, PostgreSQL si DATABASE_URL=postgresql://…)
test: install
	$(BIN)/python -m pytest

## bench: toutes les mesures de performance (×1, ×10, ×100 ; SQLite et PostgreSQL), résultats dans le README
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## lint: règles de style, sens des importations entre applications, migrations à jour et vérifications de Django
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var *.egg-info
