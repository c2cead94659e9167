"""deploy/: the Kubernetes manifests parse and hang together (every resource listed, replicas of
Rasa and the action servers, images, ports, probes, secrets, nobody running as root), and the
Dockerfile builds what the manifests run. No cluster or container runtime here (deploy/README.md):
this is what can be checked without one."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def documents():
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":  # kustomize's own file, not a resource
            continue
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                docs.append((path.name, doc))
    return docs


def of_kind(kind):
    return {doc["metadata"]["name"]: doc for _, doc in documents() if doc["kind"] == kind}


def containers(doc):
    spec = doc["spec"]
    template = spec["jobTemplate"]["spec"]["template"] if doc["kind"] == "CronJob" else spec["template"]
    return template["spec"]["containers"]


def test_every_manifest_is_valid_yaml_with_a_kind_a_name_and_the_namespace():
    docs = documents()
    assert len(docs) >= 20
    for name, doc in docs:
        assert {"apiVersion", "kind", "metadata"} <= set(doc), name
        assert doc["metadata"].get("name"), name
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == "prescreen", (name, doc["metadata"]["name"])


def test_kustomization_lists_every_manifest_and_renders():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert listed == on_disk  # the example secret is never applied as it is
    if shutil.which("kubectl"):
        rendered = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=120)
        assert rendered.returncode == 0, rendered.stderr
        kinds = [doc["kind"] for doc in yaml.safe_load_all(rendered.stdout) if doc]
        assert len(kinds) == len([d for n, d in documents() if n != "secret.example.yaml"])
        assert "registry.example-hospital.org/prescreen:1" in rendered.stdout


def test_rasa_and_the_action_servers_run_as_replicas_behind_services_with_probes():
    deployments, services = of_kind("Deployment"), of_kind("Service")
    for name, port in (("rasa", 5005), ("actions", 5055)):
        assert deployments[name]["spec"]["replicas"] >= 2
        (container,) = containers(deployments[name])
        assert container["readinessProbe"] and container["livenessProbe"]
        assert [p["containerPort"] for p in container["ports"]] == [port]
        assert services[name]["spec"]["ports"][0]["targetPort"] == port
        assert services[name]["spec"]["selector"] == deployments[name]["spec"]["template"]["metadata"]["labels"]
    assert set(of_kind("PodDisruptionBudget")) == {"rasa", "actions"}
    assert {"redis", "postgres", "inbox", "web"} <= set(services)


def test_rasa_uses_the_shared_stores_and_never_opens_its_http_api():
    (rasa,) = containers(of_kind("Deployment")["rasa"])
    assert "--enable-api" not in rasa["command"] and "endpoints.yml" in rasa["command"]
    secret = of_kind("Secret")["prescreen-secrets"]["stringData"]
    assert secret["TRACKER_STORE_URL"].startswith("postgresql://") and "@postgres:5432/conversations" in secret["TRACKER_STORE_URL"]
    assert secret["LOCK_STORE_URL"].startswith("redis://") and "@redis:6379/" in secret["LOCK_STORE_URL"]
    config = of_kind("ConfigMap")["prescreen-config"]["data"]
    assert config["ACTION_SERVER_URL"] == "http://actions:5055/webhook" and config["RASA_URL"] == "http://rasa:5005"
    assert float(config["TICKET_LOCK_LIFETIME"]) > float(config["TURN_TIMEOUT_S"])
    assert int(config["CONVERSATION_RETENTION_DAYS"]) == 30


def test_every_secret_a_container_reads_is_in_the_example_secret_and_every_value_is_a_placeholder():
    secret = of_kind("Secret")["prescreen-secrets"]["stringData"]
    assert all("REPLACE" in value for value in secret.values())
    for _, doc in documents():
        if doc["kind"] in ("Deployment", "StatefulSet", "Job", "CronJob"):
            for container in containers(doc):
                for env in container.get("env", []):
                    ref = env.get("valueFrom", {}).get("secretKeyRef")
                    if ref:
                        assert ref["name"] == "prescreen-secrets" and ref["key"] in secret, (doc["metadata"]["name"], ref)


def test_our_containers_run_our_image_as_a_non_root_user():
    for _, doc in documents():
        if doc["kind"] in ("Deployment", "StatefulSet", "Job", "CronJob"):
            pod = (doc["spec"]["jobTemplate"]["spec"]["template"] if doc["kind"] == "CronJob" else doc["spec"]["template"])["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True, doc["metadata"]["name"]
            for container in pod["containers"]:
                if container["image"].startswith("prescreen"):
                    assert container["image"] == "prescreen:1"
                    assert container.get("envFrom"), container["name"]


def test_only_the_page_and_the_inbox_are_reachable_from_outside():
    (ingress,) = of_kind("Ingress").values()
    backends = {path["backend"]["service"]["name"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]}
    assert backends == {"web", "inbox"}
    policies = of_kind("NetworkPolicy")
    assert policies["default-deny-ingress"]["spec"]["podSelector"] == {}


def test_the_dockerfile_builds_what_the_manifests_run():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^USER 10001", text, re.M)
    assert "RASA_TELEMETRY_ENABLED=false" in text and "pip install -r requirements.lock" in text
    assert "npm ci" in text and "rasa train" in text
    assert not re.search(r"^\s*ADD\s+https?://", text, re.M)  # nothing fetched from elsewhere at build
    for module in ("bot.action_server", "bot.cli", "bot.web.server", "bot.retention", "bot.tracker_db"):
        assert (ROOT / (module.replace(".", "/") + ".py")).exists(), module
    ignore = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text()
    for copied in re.findall(r"^COPY (?!--from)(\S+)", text, re.M):
        assert f"!{copied.rstrip('/')}" in ignore or f"!{copied.rstrip('/')}/**" in ignore, copied


@pytest.mark.parametrize("path", sorted(p.name for p in K8S.glob("*.yaml")))
def test_no_manifest_holds_a_real_looking_secret(path):
    text = (K8S / path).read_text()
    assert not re.search(r"gAAAAA|[A-Za-z0-9_-]{43}=", text)  # no Fernet token or key
