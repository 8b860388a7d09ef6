# Shortcuts for ./dev, which does the set-up (a .venv on first use) and the work.
.PHONY: run test lint sync bench clean

run:
	@./dev run
test:
	@./dev test
lint:
	@./dev lint
sync:
	@./dev sync
bench:
	@./dev bench
clean:
	rm -rf .venv .mypy_cache .pytest_cache .ruff_cache
