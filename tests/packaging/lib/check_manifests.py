#!/usr/bin/python3
"""Checks a rendered kustomization of packaging/kubernetes against what the agent ships with:

    check_manifests.py RENDERED.yaml --caps CAP,... --rules FILE --version V

Prints one line per violation and exits 1 on any. What it holds the manifests to:
  - nothing is privileged; only the capabilities given (the systemd unit's measured set) are added,
    after dropping ALL; no privilege escalation; read-only root file system; seccomp RuntimeDefault;
  - the host's / read-only at /host, the agent run with --host-root /host, hostPID;
  - probes on /healthz (startup, liveness) and /readyz (readiness) at the port the config listens on;
    Prometheus scrape annotations on that port;
  - requests and limits for CPU and memory; RollingUpdate; system-node-critical; a toleration of
    every taint;
  - RBAC: list and watch of pods, nothing else; the namespace admits privileged pods;
  - our rules ConfigMap holds rules/osprey_rules.yaml unchanged; an (empty or not) ConfigMap for the
    operator's rules is mounted at /etc/osprey/rules.local.d;
  - secrets reach the pod only as read-only files: no secretKeyRef, no envFrom, nothing on the
    command line names a secret's mount;
  - the config uses only the keys of the interface contract; the image tag is the version.
"""
import argparse
import sys

import yaml

CONFIG_KEYS = {"config", "rules", "outputs", "rule_matching", "host_root", "docker_data_root",
               "containerd_state", "containerd_root", "containers_storage", "stats_interval",
               "ready_file", "listen"}

errors = []


def err(msg):
    errors.append(msg)


def one(docs, kind, name=None):
    found = [d for d in docs if d and d.get("kind") == kind
             and (name is None or d["metadata"]["name"] == name)]
    if len(found) != 1:
        err(f"expected one {kind}{' ' + name if name else ''}, found {len(found)}")
        return None
    return found[0]


def walk(obj, path=""):
    """Every (path, key, value) in a nested structure."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield path, k, v
            yield from walk(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from walk(v, f"{path}[{i}]")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rendered")
    ap.add_argument("--caps", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--version", required=True)
    a = ap.parse_args()
    with open(a.rendered) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    want_caps = sorted(c.upper().removeprefix("CAP_") for c in a.caps.split(","))

    for path, k, v in walk(docs):
        if k == "privileged" and v is True:
            err(f"{path}: privileged: true")

    ns = one(docs, "Namespace")
    if ns and (ns["metadata"].get("labels") or {}).get("pod-security.kubernetes.io/enforce") != "privileged":
        err("Namespace: pod-security.kubernetes.io/enforce must be privileged (hostPID, hostPath, capabilities)")
    cr = one(docs, "ClusterRole")
    if cr and cr.get("rules") != [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list", "watch"]}]:
        err(f"ClusterRole: rules must be list+watch of pods only, are {cr.get('rules')}")
    crb = one(docs, "ClusterRoleBinding")
    sa = one(docs, "ServiceAccount")
    if crb and sa and crb["subjects"] != [{"kind": "ServiceAccount", "name": sa["metadata"]["name"],
                                          "namespace": sa["metadata"]["namespace"]}]:
        err("ClusterRoleBinding: must bind the agent's ServiceAccount only")

    ds = one(docs, "DaemonSet")
    if not ds:
        return report()
    spec = ds["spec"]
    pod = spec["template"]["spec"]
    ann = spec["template"]["metadata"].get("annotations") or {}
    if spec.get("updateStrategy", {}).get("type") != "RollingUpdate":
        err("DaemonSet: updateStrategy must be RollingUpdate")
    if pod.get("priorityClassName") != "system-node-critical":
        err("pod: priorityClassName must be system-node-critical")
    if {"operator": "Exists"} not in (pod.get("tolerations") or []):
        err("pod: needs a toleration {operator: Exists} to run on every node")
    if not pod.get("hostPID"):
        err("pod: hostPID must be true")
    if pod.get("hostNetwork"):
        err("pod: hostNetwork is not needed")
    if sa and pod.get("serviceAccountName") != sa["metadata"]["name"]:
        err("pod: serviceAccountName must be the agent's ServiceAccount")
    cs = pod.get("containers") or []
    if len(cs) != 1:
        err(f"pod: expected one container, found {len(cs)}")
        return report()
    c = cs[0]
    sc = c.get("securityContext") or {}
    if sc.get("allowPrivilegeEscalation") is not False:
        err("container: allowPrivilegeEscalation must be false")
    if sc.get("readOnlyRootFilesystem") is not True:
        err("container: readOnlyRootFilesystem must be true")
    caps = sc.get("capabilities") or {}
    if caps.get("drop") != ["ALL"]:
        err("container: capabilities.drop must be [ALL]")
    got_caps = sorted(x.upper().removeprefix("CAP_") for x in caps.get("add") or [])
    if got_caps != want_caps:
        err(f"container: capabilities.add is {got_caps}, the measured set (systemd unit) is {want_caps}")
    seccomp = (sc.get("seccompProfile") or (pod.get("securityContext") or {}).get("seccompProfile") or {})
    if seccomp.get("type") != "RuntimeDefault":
        err("pod/container: seccompProfile must be RuntimeDefault")
    image = c.get("image", "")
    if image.rpartition(":")[2] != a.version:
        err(f"container: image {image} is not tagged with the version {a.version}")

    args = (c.get("command") or []) + (c.get("args") or [])
    if "--host-root" not in args or args[args.index("--host-root") + 1:][:1] != ["/host"]:
        err("container: the agent must run with --host-root /host")
    vols = {v["name"]: v for v in pod.get("volumes") or []}
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts") or []}
    host = mounts.get("/host")
    if not host or vols.get(host["name"], {}).get("hostPath", {}).get("path") != "/" or not host.get("readOnly"):
        err("container: the host's / must be mounted read-only at /host")
    for m in c.get("volumeMounts") or []:
        v = vols.get(m["name"], {})
        if "hostPath" in v and not m.get("readOnly"):
            err(f"container: hostPath {v['hostPath']['path']} must be mounted read-only")

    # secrets: files only
    secret_paths = []
    for m in c.get("volumeMounts") or []:
        v = vols.get(m["name"], {})
        if "secret" in v:
            secret_paths.append(m["mountPath"])
            if not m.get("readOnly"):
                err(f"container: Secret volume {m['name']} must be mounted read-only")
            if v["secret"].get("defaultMode", 0o644) & 0o077:
                err(f"container: Secret volume {m['name']} must not be readable by group or others")
    if c.get("envFrom"):
        err("container: envFrom would put ConfigMap/Secret values in the environment")
    for e in c.get("env") or []:
        if "secretKeyRef" in (e.get("valueFrom") or {}):
            err(f"container: env {e['name']} takes a Secret: secrets go in files, never the environment")
    for x in args:
        for sp in secret_paths:
            if sp in x:
                err(f"container: argument {x!r} names the secret mount {sp}")

    # the config the pod reads, and the port its probes and Prometheus use
    cfg_mount = mounts.get("/etc/osprey/osprey.yaml")
    cfg = None
    if not cfg_mount:
        err("container: no /etc/osprey/osprey.yaml mount")
    else:
        cm = one(docs, "ConfigMap", vols[cfg_mount["name"]]["configMap"]["name"])
        if cm:
            cfg = yaml.safe_load(cm["data"][cfg_mount.get("subPath", "osprey.yaml")])
    listen_port = None
    if cfg is not None:
        unknown = set(cfg) - CONFIG_KEYS
        if unknown:
            err(f"config: keys outside the interface contract: {sorted(unknown)}")
        listen = str(cfg.get("listen", ""))
        if not listen.startswith("0.0.0.0:"):
            err(f"config: listen is {listen!r}; the kubelet and Prometheus need 0.0.0.0:PORT")
        else:
            listen_port = int(listen.rpartition(":")[2])
        if cfg.get("rules") != ["/etc/osprey/rules.d", "/etc/osprey/rules.local.d"]:
            err("config: rules must be /etc/osprey/rules.d then /etc/osprey/rules.local.d")
        for o in cfg.get("outputs") or []:
            if isinstance(o, dict) and "token_file" in o:
                if not any(o["token_file"].startswith(sp + "/") for sp in secret_paths):
                    err(f"config: token_file {o['token_file']} is not in a Secret volume")
                if not str(o.get("url", "")).startswith("https://"):
                    err("config: a token is only ever sent over https://")
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports") or []}
    for kind, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"),
                       ("readinessProbe", "/readyz")):
        pr = (c.get(kind) or {}).get("httpGet") or {}
        port = ports.get(pr.get("port"), pr.get("port"))
        if pr.get("path") != path or port != listen_port:
            err(f"container: {kind} must GET {path} on the listen port {listen_port}, is {pr}")
    if ann.get("prometheus.io/scrape") != "true" or str(ann.get("prometheus.io/port")) != str(listen_port) \
            or ann.get("prometheus.io/path") != "/metrics":
        err("pod: Prometheus scrape annotations must name /metrics on the listen port")

    res = c.get("resources") or {}
    for part in ("requests", "limits"):
        for r in ("cpu", "memory"):
            if r not in (res.get(part) or {}):
                err(f"container: resources.{part}.{r} missing")

    # rules: ours unchanged, the operator's directory present
    rules_mount = mounts.get("/etc/osprey/rules.d")
    with open(a.rules) as f:
        ours = f.read()
    if not rules_mount:
        err("container: no /etc/osprey/rules.d mount")
    else:
        cm = one(docs, "ConfigMap", vols[rules_mount["name"]]["configMap"]["name"])
        if cm and (cm.get("data") or {}).get("osprey_rules.yaml") != ours:
            err(f"ConfigMap {cm['metadata']['name']}: osprey_rules.yaml differs from {a.rules} "
                "(make k8s-rules refreshes the copy)")
    local = mounts.get("/etc/osprey/rules.local.d")
    if not local or "configMap" not in vols.get(local["name"], {}):
        err("container: no ConfigMap for the operator's rules at /etc/osprey/rules.local.d")
    return report()


def report():
    for e in errors:
        print(e)
    return 1 if errors else 0


sys.exit(main())
