"""Static checks of the deployment files (deploy/): they parse, the production dagster.yaml validates
against Dagster's instance schema, images are ours or pinned public ones, every environment variable is
one the code, Dagster or the image reading it actually reads, and the compose, Helm and Dockerfile pieces
agree with each other and with pyproject.toml. (Docker and Helm themselves are not available here: the
files are never built or rendered by these tests.)"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import dagster
import pytest
import yaml
from dagster._config import process_config, resolve_to_config_type
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.instance.ref import InstanceRef
from packaging.specifiers import SpecifierSet

from leaderboard_pipeline.collectors.platforms import PLATFORMS
from leaderboard_pipeline.config import settings

ROOT = settings.PROJECT_ROOT
DEPLOY = ROOT / "deploy"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT_VERSION = PYPROJECT["project"]["version"]
DAGSTER_PIN = next(
    d.split("==")[1] for d in PYPROJECT["project"]["dependencies"] if d.startswith("dagster==")
)
IMAGE = f"leaderboard-pipeline:{PROJECT_VERSION}"
PG_ENV = {"DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_USER", "DAGSTER_PG_PASSWORD", "DAGSTER_PG_DB"}

# Variables read by programs other than ours and Dagster, and so not findable in Python source here.
READ_ELSEWHERE = {
    "MOTHERDUCK_TOKEN": "DuckDB's MotherDuck extension (an md: warehouse)",
    "PYTHONDONTWRITEBYTECODE": "the Python interpreter",
    "PYTHONUNBUFFERED": "the Python interpreter",
    "PIP_NO_CACHE_DIR": "pip (image build)",
    "PIP_DISABLE_PIP_VERSION_CHECK": "pip (image build)",
}
POSTGRES_IMAGE_ENV = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}  # the image's entrypoint
PINNED_TAG = re.compile(r"^\d+(\.\d+)+(-[a-z0-9]+)*$")  # 15.10-bookworm, 3.11.7-slim-bookworm, 1.13.27


def load(path: Path):
    return yaml.safe_load(path.read_text())


COMPOSE = load(DEPLOY / "compose.yaml")
HELM = load(DEPLOY / "helm" / "values.yaml")
DOCKERFILE = (DEPLOY / "Dockerfile").read_text()
ENV_EXAMPLE = (DEPLOY / "env.example").read_text()


# --- the instance ------------------------------------------------------------------------------


def validate_instance(home: Path) -> InstanceRef:
    """What DagsterInstance.from_config does short of connecting: the instance schema (top-level keys,
    storage, settings), then each configured class's own config schema (run coordinator, launcher,
    scheduler, storage), with {env: ...} values resolved from the environment."""
    ref = InstanceRef.from_dir(str(home))
    for data in (
        ref.storage_data,
        ref.run_coordinator_data,
        ref.run_launcher_data,
        ref.scheduler_data,
        ref.compute_logs_data,
        ref.local_artifact_storage_data,
    ):
        module = __import__(data.module_name, fromlist=[data.class_name])
        klass = getattr(module, data.class_name)
        result = process_config(resolve_to_config_type(klass.config_type()), data.config_dict)
        if not result.success:
            raise DagsterInvalidConfigError(
                f"{data.module_name}.{data.class_name}", result.errors, data.config_dict
            )
    return ref


@pytest.fixture
def pg_env(monkeypatch):
    for name in PG_ENV:
        monkeypatch.setenv(name, "5432" if name.endswith("PORT") else "x")


def instance_home(tmp_path: Path, text: str) -> Path:
    (tmp_path / "dagster.yaml").write_text(text)
    return tmp_path


def test_dagster_yaml_validates_against_the_instance_schema(pg_env, tmp_path):
    ref = validate_instance(instance_home(tmp_path, (DEPLOY / "dagster.yaml").read_text()))
    assert (ref.storage_data.module_name, ref.storage_data.class_name) == (
        "dagster_postgres",
        "DagsterPostgresStorage",
    )
    postgres = ref.storage_data.config_dict["postgres_db"]
    assert postgres["scheme"] == "postgresql+psycopg2"  # SQLAlchemy 2.1 would pick psycopg 3
    assert {v["env"] for v in postgres.values() if isinstance(v, dict)} == PG_ENV
    assert ref.run_coordinator_data.class_name == "QueuedRunCoordinator"
    assert ref.settings["concurrency"]["runs"]["max_concurrent_runs"] >= 1
    assert ref.settings["run_retries"]["enabled"] and ref.settings["run_retries"]["max_retries"] > 0
    assert ref.settings["run_monitoring"]["enabled"]
    assert ref.settings["telemetry"] == {"enabled": False}


@pytest.mark.parametrize(
    "broken",
    [
        "run_retries:\n  enabled: true\n  max_retry: 2\n",  # a misspelt key
        "run_coordinator:\n  module: dagster._core.run_coordinator\n  class: QueuedRunCoordinator\n"
        "  config:\n    max_concurrent: 2\n",  # a key of the class's own schema
        "storage:\n  postgres:\n    postgres_db:\n      hostname: h\n      db_name: d\n",  # no username
    ],
)
def test_the_instance_validation_rejects_broken_files(pg_env, tmp_path, broken):
    with pytest.raises(DagsterInvalidConfigError):
        validate_instance(instance_home(tmp_path, broken))


def test_dagster_yaml_needs_every_postgres_variable(pg_env, monkeypatch, tmp_path):
    monkeypatch.delenv("DAGSTER_PG_PASSWORD")
    with pytest.raises(Exception, match="DAGSTER_PG_PASSWORD"):
        validate_instance(instance_home(tmp_path, (DEPLOY / "dagster.yaml").read_text()))


# --- environment variables -----------------------------------------------------------------------


def _quoted_literals(paths) -> set[str]:
    names: set[str] = set()
    for path in paths:
        names |= set(re.findall(r"""["']([A-Z][A-Z0-9_]{2,})["']""", path.read_text(errors="ignore")))
    return names


OUR_CODE_READS = _quoted_literals((ROOT / "leaderboard_pipeline").rglob("*.py"))
DAGSTER_YAML_READS = set(re.findall(r"\{env: ([A-Z0-9_]+)\}", (DEPLOY / "dagster.yaml").read_text()))


def read_by_dagster(name: str) -> bool:
    package = Path(dagster.__file__).parent
    return any(f'"{name}"' in p.read_text(errors="ignore") for p in package.rglob("*.py"))


def assert_read(names: set[str], where: str) -> None:
    unread = {
        n
        for n in names
        if n not in OUR_CODE_READS
        and n not in DAGSTER_YAML_READS
        and n not in READ_ELSEWHERE
        and not read_by_dagster(n)
    }
    assert not unread, f"{where}: nothing reads {sorted(unread)}"


def compose_environment(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    return env if isinstance(env, dict) else dict(item.split("=", 1) for item in env)


def dockerfile_instructions(keyword: str) -> list[str]:
    """The arguments of every KEYWORD instruction (continuation lines joined, comments dropped)."""
    lines = [line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(keyword + " ")]


def dockerfile_env() -> dict[str, str]:
    return dict(pair.split("=", 1) for args in dockerfile_instructions("ENV") for pair in args.split())


def mount_targets(service: dict) -> set[str]:
    """Container paths of compose volumes written source:target[:mode] (the source may hold ${X:-y})."""
    targets = set()
    for volume in service.get("volumes", []):
        parts = volume.rsplit(":", 2)
        targets.add(parts[-2] if parts[-1] in ("ro", "rw") else parts[-1])
    return targets


def compose_default(value: str) -> str:
    """The default of a compose interpolation ${VAR:-default}."""
    return re.fullmatch(r"\$\{[A-Z0-9_]+:-(.*)\}", value).group(1)


def helm_deployment() -> dict:
    (deployment,) = HELM["dagster-user-deployments"]["deployments"]
    return deployment


def test_every_environment_variable_is_read_by_something():
    for name, service in COMPOSE["services"].items():
        env = set(compose_environment(service))
        if name == "postgres":
            assert env <= POSTGRES_IMAGE_ENV, f"compose postgres: {sorted(env - POSTGRES_IMAGE_ENV)}"
        else:
            assert_read(env, f"compose service {name}")
    assert_read(set(dockerfile_env()), "deploy/Dockerfile ENV")
    assert_read({e["name"] for e in helm_deployment()["env"]}, "Helm user deployment env")


def test_the_assert_read_check_can_fail():
    with pytest.raises(AssertionError, match="LEADERBOARD_NO_SUCH_SETTING"):
        assert_read({"LEADERBOARD_NO_SUCH_SETTING", "LEADERBOARD_DB"}, "a made-up service")


def test_services_that_open_the_instance_get_every_postgres_variable():
    for name in ("code", "webserver", "daemon"):
        assert PG_ENV <= set(compose_environment(COMPOSE["services"][name])), name


def test_the_code_server_gets_every_platform_token():
    env = compose_environment(COMPOSE["services"]["code"])
    for platform in PLATFORMS.values():
        if platform.token_env:
            assert platform.token_env[0] in env, f"compose code service: no {platform.token_env[0]}"
            assert platform.token_env[0] in helm_deployment_secret_note()


def helm_deployment_secret_note() -> str:
    """The Helm values name the keys of the token secret in a comment (the secret is made out of band)."""
    text = (DEPLOY / "helm" / "values.yaml").read_text()
    return text[: text.index("envSecrets:\n        - name: leaderboard-tokens")]


def test_compose_interpolations_are_documented_in_env_example():
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (DEPLOY / "compose.yaml").read_text()))
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, flags=re.M))
    assert used == documented


# --- images ------------------------------------------------------------------------------------


def test_compose_images_are_ours_or_pinned():
    services = COMPOSE["services"]
    built = {name for name, s in services.items() if "build" in s}
    assert built == {"code"}
    build = services["code"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    for name, service in services.items():
        image = service["image"]
        if image.split(":")[0] == IMAGE.split(":")[0]:
            assert image == IMAGE, f"{name}: our image is tagged with the project version"
            # only `code` builds it; the others must not look for it in a registry
            assert name in built or service.get("pull_policy") == "never", name
        else:
            repository, _, tag = image.partition(":")
            assert PINNED_TAG.match(tag), f"{name}: {image} is not pinned to a version"
    assert services["postgres"]["image"].startswith("postgres:15")  # the major the test server runs


def test_helm_images_are_ours_or_the_pinned_dagster_release():
    for component in ("dagsterWebserver", "dagsterDaemon"):
        image = HELM[component]["image"]
        assert image["repository"] == "docker.io/dagster/dagster-celery-k8s"
        assert image["tag"] == DAGSTER_PIN, f"{component} must run the Dagster release we pin"
    ours = helm_deployment()["image"]
    assert ours["repository"].endswith("/" + IMAGE.split(":")[0]) and ours["tag"] == PROJECT_VERSION
    init = HELM["postgresql"]["image"]
    assert PINNED_TAG.match(init["tag"]) and init["tag"].split(".")[0] == "15"


def test_dockerfile_base_copies_and_entry_point():
    (base,) = dockerfile_instructions("FROM")
    name, _, tag = base.partition(":")
    assert name == "python" and PINNED_TAG.match(tag)
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(tag.split("-")[0])
    for args in dockerfile_instructions("COPY"):
        *sources, _target = args.split()
        for source in sources:
            assert (ROOT / source).exists(), f"Dockerfile copies {source}, which is not in the repository"
    assert "pip install -e '.[deploy]'" in DOCKERFILE  # settings find data/ next to the package
    (cmd,) = dockerfile_instructions("CMD")
    args = yaml.safe_load(cmd)
    assert args[:3] == ["dagster", "api", "grpc"]
    tool = PYPROJECT["tool"]["dagster"]
    assert args[args.index("--module-name") + 1] == tool["module_name"]
    assert args[args.index("--location-name") + 1] == tool["code_location_name"]
    workspace = load(DEPLOY / "workspace.yaml")["load_from"][0]["grpc_server"]
    assert workspace["port"] == int(args[args.index("--port") + 1])
    assert workspace["location_name"] == tool["code_location_name"]
    assert workspace["host"] in COMPOSE["services"]
    helm_args = helm_deployment()["dagsterApiGrpcArgs"]
    assert helm_args[helm_args.index("--module-name") + 1] == tool["module_name"]


def test_paths_agree_between_image_compose_and_helm():
    image_env = dockerfile_env()
    home = image_env["DAGSTER_HOME"]
    assert HELM["global"]["dagsterHome"] == home
    assert f"deploy/dagster.yaml {home}/dagster.yaml" in dockerfile_instructions("COPY")
    for name in ("code", "webserver", "daemon"):
        assert f"{home}/storage" in mount_targets(COMPOSE["services"][name]), f"{name}: compute logs"
    code = COMPOSE["services"]["code"]
    code_env = compose_environment(code)
    assert Path(compose_default(code_env["LEADERBOARD_DB"])).parent.as_posix() in mount_targets(code)
    assert compose_default(code_env["LEADERBOARD_DB"]) == image_env["LEADERBOARD_DB"]
    folders = ("LEADERBOARD_INPUTS", "LEADERBOARD_SITE_DIR", "LEADERBOARD_CASSETTE_DIR")
    for variable in folders:
        assert code_env[variable] in mount_targets(code)
        assert image_env[variable] == code_env[variable]
    helm_mounts = {m["mountPath"] for m in helm_deployment()["volumeMounts"]}
    helm_env = {e["name"]: e["value"] for e in helm_deployment()["env"]}
    assert {helm_env[v] for v in folders} <= helm_mounts


def test_one_shared_warehouse_is_a_configuration_switch():
    """Runs on several Kubernetes nodes cannot share a DuckDB file: the Helm deployment names an md:
    database; compose keeps a file by default and takes md: from the same variable."""
    helm_env = {e["name"]: e["value"] for e in helm_deployment()["env"]}
    assert helm_env["LEADERBOARD_DB"].startswith("md:")
    code_env = compose_environment(COMPOSE["services"]["code"])
    assert code_env["LEADERBOARD_DB"].startswith("${LEADERBOARD_DB:-/")
    assert code_env["MOTHERDUCK_TOKEN"] == "${MOTHERDUCK_TOKEN:-}"
    assert "md:" in ENV_EXAMPLE


# --- Helm values: keys the chart defines, and the same instance as dagster.yaml -------------------

# Keys of dagster/dagster 1.13.27's values schema (its helm/dagster/schema pydantic models) on the
# paths we set. An unknown key is silently ignored by Helm, so a typo would go unnoticed.
CHART_KEYS = {
    "": {
        "dagsterWebserver", "dagster-user-deployments", "postgresql", "generatePostgresqlPasswordSecret",
        "generateCeleryConfigSecret", "rabbitmq", "redis", "flower", "ingress", "imagePullSecrets",
        "computeLogManager", "scheduler", "runLauncher", "pythonLogs", "dagsterDaemon", "busybox",
        "migrate", "telemetry", "serviceAccount", "global", "retention", "concurrency",
        "additionalInstanceConfig",
    },
    "global": {"postgresqlSecretName", "dagsterHome", "serviceAccountName", "celeryConfigSecretName",
               "dagsterInstanceConfigMap"},
    "postgresql": {"postgresqlScheme", "image", "enabled", "postgresqlHost", "postgresqlUsername",
                   "postgresqlPassword", "postgresqlDatabase", "postgresqlParams", "service"},
    "postgresql.service": {"port"},
    "image": {"repository", "tag", "pullPolicy"},
    "dagsterDaemon": {
        "enabled", "image", "runCoordinator", "heartbeatTolerance", "env", "envConfigMaps", "envSecrets",
        "deploymentLabels", "labels", "nodeSelector", "affinity", "tolerations", "podSecurityContext",
        "securityContext", "resources", "checkDbReadyInitContainer", "livenessProbe", "readinessProbe",
        "startupProbe", "annotations", "runMonitoring", "runRetries", "sensors", "schedules", "backfills",
        "schedulerName", "logFormat", "volumeMounts", "volumes", "initContainerResources",
        "extraContainers", "extraPrependedInitContainers",
    },
    "dagsterDaemon.runCoordinator": {"enabled", "type", "config"},
    "dagsterDaemon.runCoordinator.config": {"queuedRunCoordinator", "customRunCoordinator"},
    "dagsterDaemon.runRetries": {"enabled", "maxRetries", "retryOnAssetOrOpFailure"},
    # a free-form map in the schema; these are the keys the chart's instance template renders
    "dagsterDaemon.runMonitoring": {"enabled", "startTimeoutSeconds", "cancelTimeoutSeconds",
                                    "maxRuntimeSeconds", "pollIntervalSeconds", "maxResumeRunAttempts",
                                    "freeSlotsAfterRunEndSeconds"},
    "concurrency": {"enabled", "pools", "runs"},
    "concurrency.pools": {"defaultLimit", "granularity", "opGranularityRunBuffer"},
    "concurrency.runs": {"maxConcurrentRuns", "tagConcurrencyLimits"},
    "telemetry": {"enabled"},
    "dagster-user-deployments": {"enabled", "enableSubchart", "imagePullSecrets", "deployments"},
    "deployment": {
        "name", "image", "port", "dagsterApiGrpcArgs", "codeServerArgs", "includeConfigInLaunchedRuns",
        "env", "envConfigMaps", "envSecrets", "annotations", "nodeSelector", "affinity", "tolerations",
        "podSecurityContext", "securityContext", "resources", "livenessProbe", "readinessProbe",
        "startupProbe", "labels", "volumeMounts", "volumes", "schedulerName",
    },
    "runLauncher": {"type", "config"},
    "runLauncher.config": {"celeryK8sRunLauncher", "k8sRunLauncher", "customRunLauncher"},
    "runLauncher.config.k8sRunLauncher": {
        "image", "imagePullPolicy", "jobNamespace", "loadInclusterConfig", "kubeconfigFile",
        "envConfigMaps", "envSecrets", "envVars", "volumeMounts", "volumes", "labels",
        "failPodOnRunFailure", "resources", "schedulerName", "securityContext", "runK8sConfig",
    },
    "runLauncher.config.k8sRunLauncher.runK8sConfig": {"containerConfig", "podSpecConfig",
                                                      "podTemplateSpecMetadata", "jobSpecConfig",
                                                      "jobMetadata"},
}  # fmt: skip


def unknown_chart_keys(values: dict) -> list[str]:
    checked = {path: values for path in [""]}
    for path in CHART_KEYS:
        if path in ("", "image", "deployment"):
            continue
        node = values
        for part in path.split("."):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        checked[path] = node
    checked["deployment"] = values["dagster-user-deployments"]["deployments"]
    images = [values[c]["image"] for c in ("dagsterWebserver", "dagsterDaemon", "postgresql")]
    checked["image"] = images + [d["image"] for d in checked["deployment"]]
    problems = []
    for path, nodes in checked.items():
        for node in nodes if isinstance(nodes, list) else [nodes]:
            problems += [f"{path or '<top>'}.{k}" for k in set(node) - CHART_KEYS[path]]
    return sorted(problems)


def test_helm_values_use_only_keys_the_chart_defines():
    assert unknown_chart_keys(HELM) == []
    assert HELM["runLauncher"]["type"] == "K8sRunLauncher"
    assert HELM["dagsterDaemon"]["runCoordinator"]["type"] == "QueuedRunCoordinator"


def test_the_chart_key_check_can_fail():
    typo = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    typo["dagsterDaemon"]["runRetries"]["maxRetry"] = 3
    typo["dagster-user-deployments"]["deployments"][0]["envSecret"] = []
    assert unknown_chart_keys(typo) == [
        "dagsterDaemon.runRetries.maxRetry",
        "deployment.envSecret",
    ]


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def test_helm_and_dagster_yaml_configure_the_same_instance(pg_env, tmp_path):
    settings_ = validate_instance(instance_home(tmp_path, (DEPLOY / "dagster.yaml").read_text())).settings
    daemon = HELM["dagsterDaemon"]
    assert {snake(k): v for k, v in daemon["runRetries"].items()} == settings_["run_retries"]
    assert {snake(k): v for k, v in daemon["runMonitoring"].items()} == settings_["run_monitoring"]
    concurrency = HELM["concurrency"]
    assert concurrency["enabled"]
    assert {snake(k): v for k, v in concurrency["pools"].items()} == settings_["concurrency"]["pools"]
    assert {snake(k): v for k, v in concurrency["runs"].items()} == settings_["concurrency"]["runs"]
    assert HELM["telemetry"] == settings_["telemetry"]
    assert HELM["postgresql"]["postgresqlScheme"] == "postgresql+psycopg2"


CORE = {"dagster", "dagster-webserver", "dagster-graphql", "dagster-pipes", "dagster-shared"}


def test_the_dagster_family_is_pinned_to_one_release():
    """Integrations (dagster-postgres for the instance, dagster-k8s for the image's run launcher) follow
    the core release as 0.(minor+16).patch; what is installed is what is pinned."""
    _, minor, patch = DAGSTER_PIN.split(".")
    integration = f"0.{int(minor) + 16}.{patch}"
    pins = dict(
        pin.split("==")
        for pin in PYPROJECT["project"]["dependencies"]
        + PYPROJECT["project"]["optional-dependencies"]["deploy"]
        if pin.startswith("dagster")
    )
    assert {"dagster-postgres", "dagster-k8s"} <= set(pins)
    for name, pinned in pins.items():
        assert pinned == (DAGSTER_PIN if name in CORE else integration), f"{name}=={pinned}"
        if name != "dagster-k8s":  # installed in the image only
            assert version(name) == pinned, name
