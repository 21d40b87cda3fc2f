#!/usr/bin/python3
"""Maps the DaemonSet of a rendered kustomization to `docker create` arguments, as a kubelet with
cri-dockerd would run its pod on this node, and FAILS on any field it does not know how to map, so
that the packaging test runs exactly what the manifest says and cannot drift from it.

    podspec.py RENDERED.yaml --out DIR --image REF [--node NAME] [--secret NAME=DIR]...
               [--drop-cap CAP]... [--daemonset NAME]

Writes DIR/create.args (the arguments of `docker create`, NUL-separated, the image last but its
arguments), DIR/caps (the container's capabilities, one per line, for the runc-caps runtime),
DIR/volumes/ (ConfigMap and Secret volumes as files) and prints key=value lines:

    pod_name pod_namespace pod_uid container docker_name image grace caps cgroup_parent
    seccomp=runtime-default|unconfined  seccomp_profile=FILE (runtime-default: the caller writes
    there the runtime's default profile for these capabilities, see run.sh)
    probe.<startup|liveness|readiness>=http://127.0.0.1:PORT/PATH  (to be run in the pod's network
    namespace) with probe.<kind>.period, .timeout, .failures, .delay
    port.<name>=<containerPort>

What a kubelet does that has no counterpart here is left out on purpose and said so:
  - scheduling and controller fields (selector, updateStrategy, tolerations, priorityClassName,
    nodeSelector, affinity): one node, one pod;
  - the service account token and KUBERNETES_SERVICE_* variables: there is no API server here, so
    the agent runs as outside a cluster (its watcher has unit tests against a real HTTPS server);
  - the pod network: a pod without hostNetwork gets its own network namespace, here with loopback
    only (--network none); probes are made inside it (127.0.0.1 reaches a 0.0.0.0 listener as the
    pod IP does);
  - requests.memory: only the scheduler reads it.
--drop-cap removes a capability from the spec's set: for measuring that each one is needed.
"""
import argparse
import base64
import os
import random
import string
import sys
import uuid

import yaml


class Unmappable(Exception):
    pass


def check_keys(obj, path, allowed):
    """obj must be a mapping whose keys are all in allowed."""
    if not isinstance(obj, dict):
        raise Unmappable(f"{path}: expected a mapping")
    for k in obj:
        if k not in allowed:
            raise Unmappable(f"{path}.{k}: no mapping to docker (harness: tests/packaging/lib/podspec.py)")


def cpu_millis(q, path):
    q = str(q)
    try:
        if q.endswith("m"):
            return int(q[:-1])
        return int(round(float(q) * 1000))
    except ValueError:
        raise Unmappable(f"{path}: cannot read the CPU quantity {q!r}")


MEM_UNITS = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40,
             "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def mem_bytes(q, path):
    q = str(q)
    for u in sorted(MEM_UNITS, key=len, reverse=True):
        if q.endswith(u):
            try:
                return int(float(q[: -len(u)]) * MEM_UNITS[u])
            except ValueError:
                break
    try:
        return int(q)
    except ValueError:
        raise Unmappable(f"{path}: cannot read the memory quantity {q!r}")


class Pod:
    def __init__(self, a, docs):
        self.a = a
        self.docs = docs
        self.args = []     # docker create arguments, before the image
        self.cmd = []      # after the image
        self.info = {}
        self.caps = []
        self.volumes = {}  # name -> (kind, source dir or path)
        self.out = a.out

    def kv(self, k, v):
        self.info[k] = str(v)

    def find(self, kind, name):
        for d in self.docs:
            if d and d.get("kind") == kind and d.get("metadata", {}).get("name") == name:
                return d
        return None

    # ---- the DaemonSet and its pod template ----

    def daemonset(self):
        dss = [d for d in self.docs if d and d.get("kind") == "DaemonSet"
               and (not self.a.daemonset or d["metadata"]["name"] == self.a.daemonset)]
        if len(dss) != 1:
            raise Unmappable(f"expected one DaemonSet, found {len(dss)}")
        ds = dss[0]
        check_keys(ds, "DaemonSet", {"apiVersion", "kind", "metadata", "spec"})
        check_keys(ds["metadata"], "metadata", {"name", "namespace", "labels", "annotations"})
        spec = ds["spec"]
        # controller concerns: which pods, how they are replaced
        check_keys(spec, "spec", {"selector", "updateStrategy", "minReadySeconds",
                                  "revisionHistoryLimit", "template"})
        tmpl = spec["template"]
        check_keys(tmpl, "spec.template", {"metadata", "spec"})
        name = ds["metadata"]["name"]
        ns = ds["metadata"].get("namespace", "default")
        suffix = "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(5))
        self.pod_name = f"{name}-{suffix}"
        self.pod_ns = ns
        self.pod_uid = str(uuid.uuid4())
        self.kv("pod_name", self.pod_name)
        self.kv("pod_namespace", ns)
        self.kv("pod_uid", self.pod_uid)
        meta = tmpl.get("metadata", {})
        check_keys(meta, "spec.template.metadata", {"labels", "annotations"})
        self.labels = dict(meta.get("labels") or {})
        self.annotations = dict(meta.get("annotations") or {})
        self.pod_spec(tmpl["spec"])

    def pod_spec(self, s):
        p = "spec.template.spec"
        check_keys(s, p, {"serviceAccountName", "automountServiceAccountToken",
                          "priorityClassName", "tolerations", "nodeSelector", "affinity",
                          "hostPID", "hostNetwork", "hostIPC", "terminationGracePeriodSeconds",
                          "securityContext", "containers", "volumes", "dnsPolicy"})
        if s.get("dnsPolicy", "ClusterFirst") != "ClusterFirst":
            raise Unmappable(f"{p}.dnsPolicy: only ClusterFirst is mapped")
        self.host_network = bool(s.get("hostNetwork"))
        self.args += ["--pid", "host"] if s.get("hostPID") else []
        self.args += ["--ipc", "host"] if s.get("hostIPC") else []
        # a pod network namespace of its own (loopback only here), or the node's
        self.args += ["--network", "host" if self.host_network else "none"]
        self.args += ["--hostname", self.pod_name] if not self.host_network else []
        grace = int(s.get("terminationGracePeriodSeconds", 30))
        self.kv("grace", grace)
        self.args += ["--stop-signal", "SIGTERM", "--stop-timeout", str(grace)]
        self.pod_sc = s.get("securityContext") or {}
        check_keys(self.pod_sc, f"{p}.securityContext",
                   {"seccompProfile", "runAsUser", "runAsGroup", "runAsNonRoot"})
        for v in s.get("volumes") or []:
            self.volume(v, f"{p}.volumes[{v.get('name')}]")
        cs = s.get("containers") or []
        if len(cs) != 1:
            raise Unmappable(f"{p}.containers: exactly one container is mapped, found {len(cs)}")
        self.container(cs[0], f"{p}.containers[0]")

    # ---- volumes ----

    def files_volume(self, name, data, items, mode, path):
        d = os.path.join(self.out, "volumes", name)
        os.makedirs(d, exist_ok=True)
        if items is not None:
            chosen = []
            for it in items:
                check_keys(it, f"{path}.items[]", {"key", "path", "mode"})
                if it["key"] not in data:
                    raise Unmappable(f"{path}.items: no key {it['key']!r}")
                chosen.append((it["key"], it["path"], it.get("mode", mode)))
        else:
            chosen = [(k, k, mode) for k in data]
        for key, rel, m in chosen:
            f = os.path.join(d, rel)
            os.makedirs(os.path.dirname(f), exist_ok=True)
            with open(f, "wb") as fh:
                fh.write(data[key])
            os.chmod(f, m)
        self.volumes[name] = ("dir", d)

    def volume(self, v, path):
        name = v["name"]
        kinds = [k for k in v if k != "name"]
        if len(kinds) != 1:
            raise Unmappable(f"{path}: expected one volume source, found {kinds}")
        kind = kinds[0]
        src = v[kind]
        if kind == "hostPath":
            check_keys(src, f"{path}.hostPath", {"path", "type"})
            t = src.get("type", "")
            hp = src["path"]
            if t == "Directory" and not os.path.isdir(hp):
                raise Unmappable(f"{path}: hostPath {hp} is not a directory on this node")
            if t == "File" and not os.path.isfile(hp):
                raise Unmappable(f"{path}: hostPath {hp} is not a file on this node")
            if t not in ("Directory", "File", ""):
                raise Unmappable(f"{path}.hostPath.type: {t} is not mapped")
            self.volumes[name] = ("host", hp)
        elif kind == "configMap":
            check_keys(src, f"{path}.configMap", {"name", "items", "defaultMode", "optional"})
            cm = self.find("ConfigMap", src["name"])
            if cm is None:
                if src.get("optional"):
                    cm = {"data": {}}
                else:
                    raise Unmappable(f"{path}: ConfigMap {src['name']} is not in the rendered manifests")
            data = {k: str(val).encode() for k, val in (cm.get("data") or {}).items()}
            data.update({k: base64.b64decode(val) for k, val in (cm.get("binaryData") or {}).items()})
            self.files_volume(name, data, src.get("items"), src.get("defaultMode", 0o644), path)
        elif kind == "secret":
            check_keys(src, f"{path}.secret", {"secretName", "items", "defaultMode", "optional"})
            sname = src["secretName"]
            data = None
            for spec in self.a.secret:
                n, _, d = spec.partition("=")
                if n == sname:
                    data = {}
                    for f in sorted(os.listdir(d)):
                        with open(os.path.join(d, f), "rb") as fh:
                            data[f] = fh.read()
            if data is None:
                sec = self.find("Secret", sname)
                if sec is not None:
                    data = {k: base64.b64decode(val) for k, val in (sec.get("data") or {}).items()}
                    data.update({k: str(val).encode() for k, val in (sec.get("stringData") or {}).items()})
            if data is None:
                if not src.get("optional"):
                    raise Unmappable(f"{path}: Secret {sname} is neither rendered nor given with --secret")
                data = {}
            self.files_volume(name, data, src.get("items"), src.get("defaultMode", 0o644), path)
        elif kind == "emptyDir":
            check_keys(src, f"{path}.emptyDir", {"medium", "sizeLimit"})
            self.volumes[name] = ("tmpfs", src.get("sizeLimit"))
        else:
            raise Unmappable(f"{path}.{kind}: no mapping to docker")

    def mount(self, m, path):
        check_keys(m, path, {"name", "mountPath", "readOnly", "subPath", "mountPropagation"})
        if m["name"] not in self.volumes:
            raise Unmappable(f"{path}: no volume {m['name']}")
        kind, src = self.volumes[m["name"]]
        target = m["mountPath"]
        if kind == "tmpfs":
            if "subPath" in m or "mountPropagation" in m:
                raise Unmappable(f"{path}: subPath/mountPropagation on an emptyDir is not mapped")
            opt = f"type=tmpfs,target={target}"
            if src:
                opt += f",tmpfs-size={mem_bytes(src, path)}"
            self.args += ["--mount", opt]
            return
        if "subPath" in m:
            src = os.path.join(src, m["subPath"])
            if not os.path.exists(src):
                raise Unmappable(f"{path}: subPath {m['subPath']} does not exist in the volume")
        opt = f"type=bind,source={src},target={target}"
        # ConfigMap and Secret volumes are always read-only in a pod
        if m.get("readOnly") or kind == "dir":
            opt += ",readonly"
        prop = m.get("mountPropagation", "None")
        if prop == "HostToContainer":
            opt += ",bind-propagation=rslave"
        elif prop != "None":
            raise Unmappable(f"{path}.mountPropagation: {prop} is not mapped (it needs privileged)")
        self.args += ["--mount", opt]

    # ---- the container ----

    def container(self, c, p):
        check_keys(c, p, {"name", "image", "imagePullPolicy", "command", "args", "workingDir",
                          "env", "ports", "startupProbe", "livenessProbe", "readinessProbe",
                          "resources", "securityContext", "volumeMounts"})
        cname = c["name"]
        self.kv("container", cname)
        docker_name = f"k8s_{cname}_{self.pod_name}_{self.pod_ns}_{self.pod_uid}_0"
        self.kv("docker_name", docker_name)
        self.args += ["--name", docker_name]
        # the labels cri-dockerd gives a pod's container, and the pod's own
        labels = {"io.kubernetes.pod.name": self.pod_name,
                  "io.kubernetes.pod.namespace": self.pod_ns,
                  "io.kubernetes.pod.uid": self.pod_uid,
                  "io.kubernetes.container.name": cname,
                  "io.kubernetes.docker.type": "container"}
        labels.update(self.labels)
        labels.update({f"annotation.{k}": v for k, v in self.annotations.items()})
        for k, v in labels.items():
            self.args += ["--label", f"{k}={v}"]
        if c["image"] != self.a.image:
            raise Unmappable(f"{p}.image: the manifest runs {c['image']}, the test built {self.a.image}")
        self.kv("image", c["image"])
        policy = c.get("imagePullPolicy", "IfNotPresent")
        if policy not in ("IfNotPresent", "Never"):
            raise Unmappable(f"{p}.imagePullPolicy: {policy} needs a registry")
        self.args += ["--pull", "never"]
        cmd = list(c.get("command") or [])
        if cmd:
            self.args += ["--entrypoint", cmd[0]]
        self.cmd = cmd[1:] + list(c.get("args") or [])
        if "workingDir" in c:
            self.args += ["--workdir", c["workingDir"]]
        for e in c.get("env") or []:
            self.env(e, f"{p}.env[{e.get('name')}]")
        ports = {}
        for port in c.get("ports") or []:
            check_keys(port, f"{p}.ports[]", {"name", "containerPort", "protocol"})
            if port.get("protocol", "TCP") != "TCP":
                raise Unmappable(f"{p}.ports: only TCP is mapped")
            ports[port.get("name", str(port["containerPort"]))] = port["containerPort"]
            self.kv(f"port.{port.get('name', port['containerPort'])}", port["containerPort"])
        for kind in ("startup", "liveness", "readiness"):
            if f"{kind}Probe" in c:
                self.probe(kind, c[f"{kind}Probe"], ports, f"{p}.{kind}Probe")
        self.resources(c.get("resources") or {}, f"{p}.resources")
        self.security(c.get("securityContext") or {}, f"{p}.securityContext")
        for i, m in enumerate(c.get("volumeMounts") or []):
            self.mount(m, f"{p}.volumeMounts[{i}]")
        # what containerd's CRI plugin does on this node's cgroup version: a cgroup namespace of
        # its own for an unprivileged container on cgroup v2, the host's on v1
        v2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
        self.args += ["--cgroupns", "private" if v2 else "host"]
        self.kv("cgroupns", "private" if v2 else "host")

    def env(self, e, p):
        check_keys(e, p, {"name", "value", "valueFrom"})
        if "valueFrom" in e:
            vf = e["valueFrom"]
            check_keys(vf, f"{p}.valueFrom", {"fieldRef"})
            fr = vf["fieldRef"]
            check_keys(fr, f"{p}.valueFrom.fieldRef", {"fieldPath", "apiVersion"})
            fields = {"spec.nodeName": self.a.node, "metadata.name": self.pod_name,
                      "metadata.namespace": self.pod_ns, "metadata.uid": self.pod_uid}
            if fr["fieldPath"] not in fields:
                raise Unmappable(f"{p}: fieldRef {fr['fieldPath']} is not mapped")
            val = fields[fr["fieldPath"]]
        else:
            val = str(e.get("value", ""))
        self.args += ["--env", f"{e['name']}={val}"]

    def probe(self, kind, pr, ports, p):
        check_keys(pr, p, {"httpGet", "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
                           "failureThreshold", "successThreshold"})
        if "httpGet" not in pr:
            raise Unmappable(f"{p}: only httpGet probes are mapped")
        hg = pr["httpGet"]
        check_keys(hg, f"{p}.httpGet", {"path", "port", "scheme"})
        if hg.get("scheme", "HTTP") != "HTTP":
            raise Unmappable(f"{p}.httpGet.scheme: only HTTP is mapped")
        port = hg["port"]
        if isinstance(port, str) and not port.isdigit():
            if port not in ports:
                raise Unmappable(f"{p}.httpGet.port: no container port named {port}")
            port = ports[port]
        self.kv(f"probe.{kind}", f"http://127.0.0.1:{port}{hg.get('path', '/')}")
        self.kv(f"probe.{kind}.delay", pr.get("initialDelaySeconds", 0))
        self.kv(f"probe.{kind}.period", pr.get("periodSeconds", 10))
        self.kv(f"probe.{kind}.timeout", pr.get("timeoutSeconds", 1))
        self.kv(f"probe.{kind}.failures", pr.get("failureThreshold", 3))

    def resources(self, r, p):
        check_keys(r, p, {"requests", "limits"})
        req, lim = r.get("requests") or {}, r.get("limits") or {}
        check_keys(req, f"{p}.requests", {"cpu", "memory"})
        check_keys(lim, f"{p}.limits", {"cpu", "memory"})
        # the kubelet: shares from the CPU request, a CFS quota from the CPU limit, a hard memory
        # limit without swap; the memory request is the scheduler's only
        cpu_req = req.get("cpu", lim.get("cpu"))
        if cpu_req is not None:
            self.args += ["--cpu-shares", str(max(2, cpu_millis(cpu_req, p) * 1024 // 1000))]
        if "cpu" in lim:
            self.args += ["--cpus", f"{cpu_millis(lim['cpu'], p) / 1000:.3f}"]
        if "memory" in lim:
            m = mem_bytes(lim["memory"], p)
            self.args += ["--memory", str(m), "--memory-swap", str(m)]
        if req and lim and req == lim and set(req) == {"cpu", "memory"}:
            qos = ""
        elif req or lim:
            qos = "burstable/"
        else:
            qos = "besteffort/"
        parent = f"/kubepods/{qos}pod{self.pod_uid}"
        self.kv("cgroup_parent", parent)
        self.args += ["--cgroup-parent", parent]

    def security(self, sc, p):
        check_keys(sc, p, {"privileged", "allowPrivilegeEscalation", "readOnlyRootFilesystem",
                           "runAsUser", "runAsGroup", "runAsNonRoot", "capabilities",
                           "seccompProfile"})
        if sc.get("privileged"):
            raise Unmappable(f"{p}.privileged: true is never shipped, and not mapped")
        merged = dict(self.pod_sc)
        merged.update(sc)
        uid = merged.get("runAsUser")
        gid = merged.get("runAsGroup")
        if merged.get("runAsNonRoot") and (uid is None or uid == 0):
            raise Unmappable(f"{p}.runAsNonRoot: the kubelet would refuse uid {uid}")
        if uid is not None:
            self.args += ["--user", f"{uid}:{gid if gid is not None else 0}"]
        if merged.get("allowPrivilegeEscalation") is False:
            self.args += ["--security-opt", "no-new-privileges"]
        if merged.get("readOnlyRootFilesystem"):
            self.args += ["--read-only"]
        caps = sc.get("capabilities") or {}
        check_keys(caps, f"{p}.capabilities", {"drop", "add"})
        if "ALL" not in (caps.get("drop") or []):
            raise Unmappable(f"{p}.capabilities.drop: only [ALL] is mapped (a partial drop starts "
                             "from the runtime's default set, which differs between runtimes)")
        want = []
        for c in caps.get("add") or []:
            c = c.upper()
            c = c if c.startswith("CAP_") else "CAP_" + c
            if c not in want:
                want.append(c)
        for d in self.a.drop_cap:
            d = d.upper()
            d = d if d.startswith("CAP_") else "CAP_" + d
            if d not in want:
                raise Unmappable(f"--drop-cap {d}: not in the spec's capabilities")
            want.remove(d)
        self.caps = want
        self.kv("caps", ",".join(want))
        # docker cannot name CAP_BPF/CAP_PERFMON: it drops all, the runtime sets the exact set
        self.args += ["--cap-drop", "ALL", "--runtime", "osprey-k8s"]
        sp = merged.get("seccompProfile", {"type": "Unconfined"})
        check_keys(sp, f"{p}.seccompProfile", {"type"})
        if sp["type"] == "RuntimeDefault":
            f = os.path.join(self.out, "seccomp.json")
            self.kv("seccomp", "runtime-default")
            self.kv("seccomp_profile", f)
            self.args += ["--security-opt", f"seccomp={f}"]
        elif sp["type"] == "Unconfined":
            self.kv("seccomp", "unconfined")
            self.args += ["--security-opt", "seccomp=unconfined"]
        else:
            raise Unmappable(f"{p}.seccompProfile.type: {sp['type']} is not mapped")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rendered")
    ap.add_argument("--out", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--node", default=os.uname().nodename)
    ap.add_argument("--secret", action="append", default=[])
    ap.add_argument("--drop-cap", action="append", default=[])
    ap.add_argument("--daemonset")
    a = ap.parse_args()
    with open(a.rendered) as f:
        docs = list(yaml.safe_load_all(f))
    os.makedirs(a.out, exist_ok=True)
    pod = Pod(a, docs)
    try:
        pod.daemonset()
    except (Unmappable, KeyError) as e:
        print(f"podspec.py: cannot map the pod spec: {e}", file=sys.stderr)
        return 1
    with open(os.path.join(a.out, "create.args"), "wb") as f:
        for x in pod.args + [pod.info["image"]] + pod.cmd:
            f.write(x.encode() + b"\0")
    with open(os.path.join(a.out, "caps"), "w") as f:
        f.write("".join(c + "\n" for c in pod.caps))
    for k, v in pod.info.items():
        print(f"{k}={v}")
    return 0


sys.exit(main())
