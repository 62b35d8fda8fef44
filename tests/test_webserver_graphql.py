"""`dagster dev` on a loopback port: the code location loads without warnings, and its GraphQL API lists every
asset, check, schedule and sensor the definitions declare."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.definitions import defs
from termtem.settings import PROJECT_ROOT

#: A shared 2-core machine loads the code location slowly; the server gets this long to answer.
STARTUP_SECONDS = 300

#: Dagster's own notice that the `dagster dev` command has a successor (`dg dev`, in the dagster-dg-cli package);
#: it is about the command line, printed before any code loads, and is the one warning tolerated in the output.
CLI_NOTICE = "SupersessionWarning: Function `dev_command` is superseded"

LOCATION_QUERY = """{ workspaceOrError { __typename ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message }
    ... on RepositoryLocation { repositories { jobs { name } schedules { name } sensors { name }
      assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name } } } } } } } } } } }"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _post(url: str, query: str) -> dict:
    request = urllib.request.Request(url, data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def _loaded_location(url: str, server: subprocess.Popen) -> dict:
    """Poll the GraphQL endpoint until the termtem code location has loaded (or failed to)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, "dagster dev exited early"
        try:
            entries = _post(url, LOCATION_QUERY)["data"]["workspaceOrError"]["locationEntries"]
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            entries = []
        if entries and entries[0]["loadStatus"] == "LOADED":
            return entries[0]
        time.sleep(2)
    raise AssertionError(f"the code location did not load within {STARTUP_SECONDS} s")


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict, Path]]:
    """Run `dagster dev` on a free loopback port; yield the loaded location and the file its output went to."""
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    log = home / "dagster-dev.log"
    port = _free_port()
    command = [str(Path(sys.executable).parent / "dagster"), "dev", "-w", "workspace.yaml",
               "-h", "127.0.0.1", "-p", str(port)]
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT,
                                  env={**os.environ, "DAGSTER_HOME": str(home)}, start_new_session=True)
    try:
        yield _loaded_location(f"http://127.0.0.1:{port}/graphql", server), log
    finally:
        os.killpg(server.pid, signal.SIGTERM)     # its own session: the webserver, daemon and code server
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.mark.slow
def test_graphql_lists_every_asset_check_schedule_and_sensor(dagster_dev: tuple[dict, Path]) -> None:
    location, _ = dagster_dev
    assert location["locationOrLoadError"]["__typename"] == "RepositoryLocation"
    [repository] = location["locationOrLoadError"]["repositories"]
    graph = defs.resolve_asset_graph()
    served_assets = {tuple(node["assetKey"]["path"]) for node in repository["assetNodes"]}
    assert served_assets == {tuple(key.path) for key in graph.get_all_asset_keys()}
    served_checks = {(tuple(node["assetKey"]["path"]), check["name"]) for node in repository["assetNodes"]
                     for check in node["assetChecksOrError"]["checks"]}
    assert served_checks == {(tuple(key.asset_key.path), key.name) for key in graph.asset_check_keys}
    assert {schedule["name"] for schedule in repository["schedules"]} == {item.name for item in defs.schedules}
    assert {sensor["name"] for sensor in repository["sensors"]} == {item.name for item in defs.sensors}
    assert "termtem_full_run" in {job["name"] for job in repository["jobs"]}


@pytest.mark.slow
def test_dagster_dev_prints_no_warning(dagster_dev: tuple[dict, Path]) -> None:
    _, log = dagster_dev
    lines = log.read_text().splitlines()
    warnings = [line for line in lines if "warning" in line.lower() and CLI_NOTICE not in line]
    assert warnings == []


def test_definitions_load_with_warnings_as_errors() -> None:
    script = ("import dagster as dg\nfrom pipelines.definitions import defs\n"
              "dg.Definitions.validate_loadable(defs)\ndefs.resolve_job_def('termtem_full_run')\n")
    loaded = subprocess.run([sys.executable, "-W", "error", "-c", script], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stderr
