/**
 * deploy/k8s, validated offline (there is no cluster): the base and the example overlay are rendered with
 * `kubectl kustomize` (kustomize v5 inside kubectl; no API server involved), every rendered object is checked
 * against the Kubernetes OpenAPI schemas compiled into npm:kubernetes-models (types, required fields, enums,
 * formats — those schemas allow unknown keys, so the fields that matter are asserted below as well), every
 * env var a manifest sets must be a key the real config loader accepts, and the security settings the spec
 * asks for are asserted one by one.
 */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { unacceptedEnv } from "../helpers/env_accepted.ts";
import { ROOT } from "../helpers/deploy_smoke.ts";
import { loadConfig } from "../../src/config/load.ts";
import { secretEnvNames } from "../../src/deploy/env_keys.ts";

// deno-lint-ignore no-explicit-any
type Obj = any;
const K8S = `${ROOT}deploy/k8s`;

async function kustomize(dir: string): Promise<Obj[]> {
  let r: Deno.CommandOutput;
  try {
    r = await new Deno.Command("kubectl", { args: ["kustomize", dir], stdout: "piped", stderr: "piped" })
      .output();
  } catch (err) {
    throw new Error(
      `kubectl is needed to render the kustomizations (no cluster is contacted): ${
        (err as Error).message
      }. ` +
        "Install kubectl (e.g. Debian's kubernetes-client, or Google's kubectl package).",
    );
  }
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  return parseAllDocuments(new TextDecoder().decode(r.stdout)).map((d) => d.toJS());
}

/** Validates one object with the kubernetes-models class of its apiVersion/kind; returns the error text. */
async function k8sErrors(o: Obj): Promise<string | undefined> {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : [undefined, o.apiVersion];
  const mod = await import(`kubernetes-models/${group ? `${group}/` : ""}${version}`);
  const Model = mod[o.kind];
  if (!Model) return `no model for ${o.apiVersion} ${o.kind}`;
  try {
    new Model(o).validate();
    return undefined;
  } catch (err) {
    return `${o.kind}/${o.metadata?.name}: ${String(err).slice(0, 1000)}`;
  }
}

const base = await kustomize(`${K8S}/base`);
const overlay = await kustomize(`${K8S}/overlays/example`);
const find = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);

Deno.test("k8s: base and overlay render; every object is valid against the Kubernetes schemas", async () => {
  const kinds = (objs: Obj[]) => objs.map((o) => o.kind).sort();
  assert.deepEqual(kinds(base), [
    "ConfigMap",
    "ConfigMap",
    "Deployment",
    "NetworkPolicy",
    "PersistentVolumeClaim",
    "PodDisruptionBudget",
    "Role",
    "RoleBinding",
    "Service",
    "ServiceAccount",
  ]);
  assert.deepEqual(kinds(overlay), [...kinds(base), "Ingress"].sort());
  const template = (await import("yaml")).parse(await Deno.readTextFile(`${K8S}/base/secret.template.yaml`));
  const errors = (await Promise.all([...base, ...overlay, template].map(k8sErrors))).filter(Boolean);
  assert.deepEqual(errors, []);
  // And the validation can fail: a wrong type and a missing required field are caught.
  const bad = structuredClone(find(base, "Deployment")[0]);
  bad.spec.replicas = "one";
  delete bad.spec.selector;
  const err = await k8sErrors(bad);
  assert.match(err ?? "", /replicas/);
  assert.match(err ?? "", /selector/);
});

Deno.test("k8s: every env var the manifests set is a key the config loader accepts", async () => {
  for (const objs of [base, overlay]) {
    const [dep] = find(objs, "Deployment");
    const configMaps = new Map(find(objs, "ConfigMap").map((c) => [c.metadata.name, c.data ?? {}]));
    for (const c of [...dep.spec.template.spec.containers, ...dep.spec.template.spec.initContainers]) {
      const env: Record<string, string> = {};
      for (const ef of c.envFrom ?? []) {
        const data = configMaps.get(ef.configMapRef.name);
        assert.ok(data, `envFrom names a rendered ConfigMap: ${ef.configMapRef.name}`);
        Object.assign(env, data);
      }
      for (const e of c.env ?? []) env[e.name] = e.value;
      assert.ok(Object.keys(env).length >= 3, c.name);
      assert.deepEqual(await unacceptedEnv(env), [], `${c.name}: ${Object.keys(env).join(", ")}`);
    }
  }
});

Deno.test("k8s: the Deployment has probes, requests/limits, non-root, read-only root FS, no capabilities", () => {
  const [dep] = find(overlay, "Deployment");
  const pod = dep.spec.template.spec;
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.runAsUser, 65532);
  assert.equal(pod.automountServiceAccountToken, false);
  assert.equal(pod.serviceAccountName, "cryptorun");
  for (const c of [...pod.containers, ...pod.initContainers]) {
    assert.equal(c.securityContext.readOnlyRootFilesystem, true, c.name);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false, c.name);
    assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"], c.name);
    assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, c.name);
    assert.equal(c.image, "registry.example.com/cryptorun:0.1.0", "the overlay pins the image");
  }
  const [main] = pod.containers;
  assert.deepEqual(main.args, ["serve", "--with-ingest", "--with-scan"]);
  assert.equal(main.livenessProbe.httpGet.path, "/healthz");
  assert.equal(main.readinessProbe.httpGet.path, "/readyz");
  assert.equal(main.startupProbe.httpGet.path, "/healthz");
  const mounts = Object.fromEntries(main.volumeMounts.map((m: Obj) => [m.mountPath, m.name]));
  assert.deepEqual(mounts, {
    "/data": "data",
    "/app/config": "config",
    "/run/secrets": "secrets",
    "/tmp": "tmp",
  });
  const vols = Object.fromEntries(pod.volumes.map((v: Obj) => [v.name, v]));
  assert.equal(vols.secrets.secret.secretName, "cryptorun-secrets");
  assert.ok(
    vols.config.configMap.name.startsWith("cryptorun-config-"),
    "the generated ConfigMap (hashed name)",
  );
  assert.equal(find(overlay, "PersistentVolumeClaim")[0].spec.resources.requests.storage, "50Gi");
  // The overlay puts everything in its namespace.
  for (const o of overlay) assert.equal(o.metadata.namespace, "cryptorun", `${o.kind}/${o.metadata.name}`);
});

Deno.test("k8s: RBAC stays in the namespace and grants nothing; NetworkPolicy, PDB, Service, Ingress", () => {
  assert.deepEqual(find(base, "Role")[0].rules, []);
  assert.equal(base.filter((o) => /^Cluster/.test(o.kind)).length, 0);
  const [rb] = find(base, "RoleBinding");
  assert.deepEqual(rb.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "cryptorun" });
  assert.deepEqual(rb.subjects, [{ kind: "ServiceAccount", name: "cryptorun" }]);
  const [np] = find(base, "NetworkPolicy");
  assert.deepEqual(np.spec.policyTypes, ["Ingress", "Egress"]);
  assert.deepEqual(np.spec.ingress[0].ports, [{ protocol: "TCP", port: 9464 }]);
  const egressPorts = np.spec.egress.flatMap((e: Obj) => e.ports.map((p: Obj) => p.port)).sort();
  assert.deepEqual(egressPorts, [443, 53, 53, 5432, 6379].sort());
  const [dep] = find(base, "Deployment");
  const podLabels = dep.spec.template.metadata.labels;
  for (
    const sel of [
      np.spec.podSelector.matchLabels,
      find(base, "PodDisruptionBudget")[0].spec.selector.matchLabels,
    ]
  ) {
    for (const [k, v] of Object.entries(sel)) assert.equal(podLabels[k], v, `selector ${k} matches the pod`);
  }
  const [svc] = find(base, "Service");
  assert.equal(svc.spec.ports[0].port, 9464);
  for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(podLabels[k], v);
  const [ing] = find(overlay, "Ingress");
  assert.ok(ing.spec.tls?.length, "the Ingress terminates TLS");
  const paths = ing.spec.rules[0].http.paths.map((p: Obj) => p.path);
  assert.ok(!paths.includes("/metrics") && !paths.includes("/"), "metrics stay in-cluster");
});

Deno.test("k8s: the ConfigMap holds config/ as it is; the Secret is a template with no values", async () => {
  const cm = find(base, "ConfigMap").find((c) => c.metadata.name.startsWith("cryptorun-config-"));
  for (const f of ["cryptorun.yaml", "data_sources.yaml"]) {
    assert.equal(cm.data[f], await Deno.readTextFile(`${ROOT}config/${f}`), `${f}: run deno task gen`);
  }
  const { parse } = await import("yaml");
  const secret = parse(await Deno.readTextFile(`${K8S}/base/secret.template.yaml`));
  assert.ok(Object.values(secret.stringData).every((v) => v === ""), "no values in the template");
  const { config } = await loadConfig({ configPath: `${ROOT}config/cryptorun.yaml`, env: {} });
  const known = secretEnvNames(config);
  for (const k of Object.keys(secret.stringData)) {
    assert.ok(known.includes(k), `${k} is a secret env var name`);
  }
  assert.ok(!base.some((o) => o.kind === "Secret"), "no Secret object is applied by the kustomization");
});
