"""The project as a whole: deploy checks, the compose file, and the layering of the apps."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUR_APPS = ("core", "portfolio", "readiness", "governance", "reporting")
# Which of our apps each app may import: portfolio is the base, reporting reads everything.
ALLOWED_IMPORTS = {
    "core": set(),
    "portfolio": {"core"},
    "readiness": {"core", "portfolio"},
    "governance": {"core", "portfolio", "readiness"},
    "reporting": {"core", "portfolio", "readiness", "governance"},
}


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_SECRET_KEY="k" * 20 + "-production-secret-" + "9f8e7d6c5b4a" * 4,
        ALLOWED_HOSTS="gatehouse.example.com",
        **extra,
    )
    return env


def test_deploy_check_reports_nothing_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def _settings_environment_names() -> set[str]:
    source = (ROOT / "config" / "settings" / "base.py").read_text()
    names = set(re.findall(r"""(?:environ\.get|env_bool|env_list)\(\s*["']([A-Z_]+)["']""", source))
    # dj_database_url.config() reads DATABASE_URL itself.
    if "dj_database_url.config(" in source:
        names.add("DATABASE_URL")
    return names


def test_compose_file_runs_every_production_service_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("db", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], f"{name} has no health check"
        assert services[name]["healthcheck"]["test"], name

    web = " ".join(services["web"]["command"])
    assert web.startswith("gunicorn config.wsgi:application")
    assert " ".join(services["worker"]["command"]).startswith("celery -A config worker")
    assert " ".join(services["beat"]["command"]).startswith("celery -A config beat")
    assert " ".join(services["migrate"]["command"]) == "python manage.py migrate --noinput"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_compose_environment_names_are_the_ones_settings_read():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    known = _settings_environment_names()
    for name in ("web", "worker", "beat", "migrate"):
        environment = set(compose["services"][name]["environment"])
        unknown = environment - known
        assert not unknown, f"{name} sets variables the settings never read: {sorted(unknown)}"
        assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DEBUG"} <= environment


def test_compose_entry_points_exist():
    from config import celery_app
    from config.wsgi import application

    assert callable(application)
    assert celery_app.main == "gatehouse"


def test_readme_documents_every_environment_variable():
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in _settings_environment_names() if f"`{name}`" not in readme)
    assert not missing, f"README.md does not document: {missing}"


def _imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, by dotted name (`from a.b import c` gives a.b and a.b.c)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _imports_of(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imported_modules(path)} & set(OUR_APPS)


def test_apps_import_only_the_layers_below_them():
    violations = []
    for app in OUR_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for imported in _imports_of(path) - {app}:
                if imported not in ALLOWED_IMPORTS[app]:
                    violations.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert not violations, "\n".join(violations)


# Governance's parts, lowest first: each may import only itself and the parts before it. The
# council (membership, seats, votes) is what gates are decided by; the register reads gate
# policies (a risk page says whether a risk blocks the next gate); the audit trail reads all.
GOVERNANCE_PARTS = ("council", "gates", "register", "audit")


def _governance_part(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 1 and parts[0] == "governance" and parts[1] in GOVERNANCE_PARTS:
        return parts[1]
    return None


def test_governance_parts_import_only_themselves_and_the_parts_below():
    """So a part's views and API call only its own or a lower part's services (and read only
    its own or lower selectors, rules and permissions)."""
    violations = []
    checked = 0
    for part in GOVERNANCE_PARTS:
        allowed = set(GOVERNANCE_PARTS[: GOVERNANCE_PARTS.index(part) + 1])
        for path in (ROOT / "governance" / part).rglob("*.py"):
            checked += 1
            for module in _imported_modules(path):
                imported = _governance_part(module)
                if imported is not None and imported not in allowed:
                    violations.append(f"{path.relative_to(ROOT)} imports {module}")
    assert checked > 40, "the governance parts were not found"
    assert not violations, "\n".join(sorted(violations))


def test_governance_has_no_top_level_feature_modules():
    """Features live in governance's parts; the app's top level holds only what Django and
    Celery look for there."""
    allowed = {"__init__", "apps", "models", "tasks", "urls", "api_urls"}
    found = {path.stem for path in (ROOT / "governance").glob("*.py")}
    assert found - allowed == set(), f"move these into a part: {sorted(found - allowed)}"


# ---------------------------------------------------------------------------------------------
# How the tests themselves are organised
# ---------------------------------------------------------------------------------------------

TESTS = ROOT / "tests"


def _is_test_module(module: str) -> bool:
    """tests.<...>.test_x or tests.<...>.conftest: modules pytest collects, not helpers."""
    last = module.split(".")[-1]
    return module.split(".")[0] == "tests" and (last.startswith("test_") or last == "conftest")


def test_no_module_imports_a_test_module_or_a_conftest():
    """What tests share lives in helper modules (tests/factories.py, tests/roles.py,
    tests/<app>/support.py ...) or in conftest fixtures, so running one test module never runs
    another's module-level code, and moving a test never breaks an import."""
    checked, violations = 0, []
    for path in TESTS.rglob("*.py"):
        checked += 1
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            violations += [
                f"{path.relative_to(ROOT)}:{node.lineno} imports {module}"
                for module in modules
                if _is_test_module(module)
            ]
    assert checked > 50, "the tests were not found"
    assert not violations, "\n".join(sorted(violations))


def _known_non_empty(iterable: ast.expr, constants: dict[str, ast.expr]) -> bool:
    """Whether the loop's iterable is visibly non-empty in the source: a literal (or a module
    constant bound to one), a range of constants, or an enumeration's members (`Stage.values`)."""
    if isinstance(iterable, ast.Name) and iterable.id in constants:
        return _known_non_empty(constants[iterable.id], {})
    if isinstance(iterable, ast.List | ast.Tuple | ast.Set):
        return bool(iterable.elts)
    if isinstance(iterable, ast.Dict):
        return bool(iterable.keys)
    if isinstance(iterable, ast.Constant):
        return bool(iterable.value)
    if isinstance(iterable, ast.Attribute) and isinstance(iterable.value, ast.Name):
        # A TextChoices enumeration: Stage.values, Status.choices.
        name = iterable.value.id
        return iterable.attr in {"values", "choices", "labels"} and name[:1].isupper()
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name):
        args = iterable.args
        if iterable.func.id == "range":
            if args and all(isinstance(arg, ast.Constant) for arg in args):
                return len(range(*(arg.value for arg in args))) > 0
            return False
        if iterable.func.id in {"enumerate", "sorted", "reversed", "list", "tuple", "zip"}:
            return bool(args) and all(_known_non_empty(arg, constants) for arg in args)
    if (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Attribute)
        and iterable.func.attr in {"items", "keys", "values"}
    ):
        return _known_non_empty(iterable.func.value, constants)
    return False


def _asserted_before(test: ast.FunctionDef, loop: ast.For, iterable: ast.expr) -> bool:
    """Whether an assert earlier in the test names what the loop walks (`assert rows`,
    `assert len(rows) == 3`, `assert [e.action for e in events(x)] == [...]`)."""
    if isinstance(iterable, ast.BinOp):  # a + b: both parts must be known
        return _asserted_before(test, loop, iterable.left) and _asserted_before(
            test, loop, iterable.right
        )
    if (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Name)
        and iterable.func.id in {"enumerate", "sorted", "reversed", "list", "tuple", "zip", "range"}
        and iterable.args
    ):
        return _asserted_before(test, loop, iterable.args[0])
    if (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Attribute)
        and iterable.func.attr in {"items", "keys", "values"}
        and not iterable.args
    ):
        return _asserted_before(test, loop, iterable.func.value)
    wanted = ast.unparse(iterable)
    return any(
        isinstance(node, ast.Assert)
        and node.lineno < loop.lineno
        and re.search(rf"(?<![\w.]){re.escape(wanted)}(?!\w)", ast.unparse(node.test))
        for node in ast.walk(test)
    )


def _contains_assert(statements: list[ast.stmt]) -> bool:
    return any(isinstance(node, ast.Assert) for stmt in statements for node in ast.walk(stmt))


def test_every_assert_in_a_loop_is_preceded_by_an_assert_that_the_loop_runs():
    """A loop over an empty collection asserts nothing and passes: each test first asserts
    that what it walks is there (`assert rows`, `assert len(rows) == 3`), unless the source
    shows it is (a literal, or an enumeration's members)."""
    loops, violations = 0, []
    for path in TESTS.rglob("test_*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        constants = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name) and target.id.isupper()
        }
        tests = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        ]
        for test in tests:
            for loop in ast.walk(test):
                if not isinstance(loop, ast.For) or not _contains_assert(loop.body):
                    continue
                loops += 1
                if _known_non_empty(loop.iter, constants):
                    continue
                if not _asserted_before(test, loop, loop.iter):
                    violations.append(
                        f"{path.relative_to(ROOT)}:{loop.lineno} {test.name}: "
                        f"for … in {ast.unparse(loop.iter)}"
                    )
    assert loops > 20, "no loops were found: is the scan still looking at the tests?"
    assert not violations, "assert the loop runs first:\n" + "\n".join(sorted(violations))
