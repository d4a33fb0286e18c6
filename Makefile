# Thin front door over scripts/: each target is one script so CI and humans run the same thing.
.PHONY: setup test lint proto bundle demo clean
setup:
	scripts/setup.sh
test:
	scripts/test.sh
lint: setup
	.venv/bin/ruff check . && .venv/bin/mypy packages/*/src
proto: setup
	scripts/proto.sh
bundle: setup
	scripts/bundle.sh
demo:
	scripts/demo.sh
clean:
	rm -rf build dist .pytest_cache
