// Lifecycle scenarios as sequences of observed states. Each scenario starts
// from an XR and its required resources, runs the function, lets the
// simulated cluster (simulate.ts) answer according to the facts of each
// step, and writes the state before the last call into
// examples/scenarios/<name>/ (xr.yaml, observed.yaml, required.yaml). The
// render test then runs the real `crossplane render` on that folder.
// Regenerate with npm run generate; a test fails when a folder is stale.
import { parseAllDocuments, parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './function-process.js';
import { failedTestPod, observe, runFunction, xrAfter, type Facts } from './simulate.js';

type Obj = Record<string, any>;

export interface Step {
  facts?: Facts;
  /** Changes a person makes to the XR before this step. */
  edit?: (xr: Obj) => void;
  /** Changes to the required resources (another instance's status, a deleted tenant, …). */
  editRequired?: (required: Obj[]) => Obj[];
}

export interface Scenario {
  name: string;
  description: string;
  xr: Obj;
  required: Obj[];
  /** Observed states reached one after the other; the render shows what the function does next. */
  steps: Step[];
}

function example(file: string): Obj {
  return parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as Obj;
}

function exampleRequired(): Obj[] {
  return parseAllDocuments(readFileSync(join(ROOT, 'examples', 'required.yaml'), 'utf8')).map((d) => d.toJS() as Obj);
}

const uid = (n: number) => `7f0c2a4e-0000-4000-8000-${String(n).padStart(12, '0')}`;

function withUid(xr: Obj, n: number): Obj {
  return { ...xr, metadata: { ...xr.metadata, uid: uid(n) } };
}

const production = () => withUid(example('instance-production.yaml'), 1);
const staging = () => withUid(example('instance-staging.yaml'), 2);
const migration = () => withUid(example('instance-migration.yaml'), 3);
const testing = () => withUid(example('instance-testing.yaml'), 4);
const tenant = () => withUid(example('tenant.yaml'), 5);

/** Required resources with a 1.4.2 release and the instances of the tenant scenarios. */
function requiredWith(edit?: (objects: Obj[]) => Obj[]): Obj[] {
  const objects = exampleRequired();
  const app = objects.find((o) => o.kind === 'App')!;
  app.spec.releases.splice(1, 0, { version: '1.4.2', series: '17.0' });
  return edit ? edit(objects) : objects;
}

function setRelease(version: string) {
  return (xr: Obj) => {
    xr.spec.release = version;
  };
}

function instanceStatus(name: string, patch: Obj) {
  return (objects: Obj[]) =>
    objects.map((o) => (o.kind === 'Instance' && o.metadata.name === name ? { ...o, status: { ...o.status, ...patch } } : o));
}

function addInstance(name: string, type: string, status: Obj, release = '1.4.1') {
  return (objects: Obj[]) => [
    ...objects,
    { apiVersion: 'instance.odoo.io/v1alpha1', kind: 'Instance', metadata: { name, namespace: 'acme' }, spec: { tenantRef: { name: 'acme' }, release, type }, status },
  ];
}

const dbNotReady: Step = { facts: { databaseReady: false } };
const initRunning: Step = { facts: { jobs: { init: 'running' } } };
const settled: Step = {};
/** The first step of every instance: its role became Ready, so its database is composed. */
const roleReady: Step = {};

export const SCENARIOS: Scenario[] = [
  // ---- production
  { name: 'production-provisioning', description: 'The role is Ready: the database is composed (CREATE DATABASE … OWNER needs the role first).', xr: production(), required: requiredWith(), steps: [roleReady] },
  { name: 'production-waiting-for-database', description: 'provider-sql has not made the database Ready yet: Provisioning, no Job.', xr: production(), required: requiredWith(), steps: [roleReady, dbNotReady] },
  { name: 'production-initializing', description: 'The role and database became Ready: the init Job is composed.', xr: production(), required: requiredWith(), steps: [roleReady, settled] },
  { name: 'production-init-running', description: 'The init Job runs: still Initializing, no Deployment yet.', xr: production(), required: requiredWith(), steps: [roleReady, settled, initRunning] },
  { name: 'production-init-failed', description: 'The init Job failed: InitializationFailed, nothing serves, the condition says how to retry.', xr: production(), required: requiredWith(), steps: [roleReady, settled, { facts: { jobs: { init: 'failed' } } }] },
  { name: 'production-init-sql', description: 'init completed: the InitSQL Job runs next.', xr: production(), required: requiredWith(), steps: [roleReady, settled, settled, { facts: { jobs: { 'init-sql': 'running' } } }] },
  { name: 'production-starting', description: 'init and InitSQL completed: web and cron Deployments, a PodDisruptionBudget for two replicas.', xr: production(), required: requiredWith(), steps: [roleReady, settled, settled, settled] },
  { name: 'production-running', description: 'The web Deployment runs 1.4.1: Running, the Jobs are gone, long TTL.', xr: production(), required: requiredWith(), steps: [roleReady, settled, settled, settled, settled] },
  { name: 'production-release-bumped', description: 'spec.release 1.4.1 → 1.4.2 (same series): BackingUp, web and cron go to 0 first (the backup a rollback restores must hold every write).', xr: production(), required: requiredWith(), steps: [roleReady, settled, settled, settled, settled, { edit: setRelease('1.4.2') }] },
  { name: 'production-backing-up', description: 'Web and cron stopped: the pre-upgrade backup Job runs with nothing writing.', xr: production(), required: requiredWith(), steps: [roleReady, settled, settled, settled, settled, { edit: setRelease('1.4.2') }, { facts: { podsReady: true } }] },
  { name: 'production-upgrading', description: 'Backup done, web and cron still stopped: the upgrade Job (odoo -u all) runs with the 1.4.2 image.', xr: production(), required: requiredWith(), steps: [roleReady, settled, settled, settled, settled, { edit: setRelease('1.4.2') }, settled, { facts: { jobs: { upgrade: 'running' } } }] },
  { name: 'production-upgrade-failed', description: 'The upgrade Job failed: UpgradeFailed, 1.4.1 serves again, the condition points at the backup.', xr: production(), required: requiredWith(), steps: [roleReady, settled, settled, settled, settled, { edit: setRelease('1.4.2') }, settled, settled, { facts: { jobs: { upgrade: 'failed' } } }] },
  { name: 'production-upgraded', description: 'The upgrade Job completed: web and cron start on 1.4.2.', xr: production(), required: requiredWith(), steps: [roleReady, settled, settled, settled, settled, { edit: setRelease('1.4.2') }, settled, settled, settled] },
  { name: 'production-upgraded-running', description: 'Web runs 1.4.2: Running, the backup and upgrade Jobs are gone.', xr: production(), required: requiredWith(), steps: [roleReady, settled, settled, settled, settled, { edit: setRelease('1.4.2') }, settled, settled, settled, settled] },
  { name: 'production-series-change-refused', description: 'spec.release moved to 2.0.0 (Odoo 18.0) on a 17.0 instance: refused, 1.4.1 keeps serving, the condition says to migrate.', xr: production(), required: requiredWith(), steps: [roleReady, settled, settled, settled, settled, { edit: setRelease('2.0.0') }] },
  // ---- staging
  { name: 'staging-copying', description: 'A staging copy of prod: the copy Job runs while prod keeps serving.', xr: staging(), required: requiredWith(), steps: [roleReady, { facts: { jobs: { copy: 'running' } } }] },
  { name: 'staging-neutralizing', description: 'Copied: odoo neutralize runs, then the check for active mail servers and crons.', xr: staging(), required: requiredWith(), steps: [roleReady, settled, { facts: { jobs: { neutralize: 'running' } } }] },
  { name: 'staging-neutralize-failed', description: 'The neutralize check found an active mail server: NeutralizationFailed, the copy never starts.', xr: staging(), required: requiredWith(), steps: [roleReady, settled, settled, { facts: { jobs: { neutralize: 'failed' } } }] },
  { name: 'staging-starting', description: 'Copied and neutralized: web and cron start.', xr: staging(), required: requiredWith(), steps: [roleReady, settled, settled, settled] },
  { name: 'staging-running', description: 'The staging copy runs on staging.acme.odoo.example.', xr: staging(), required: requiredWith(), steps: [roleReady, settled, settled, settled, settled] },
  { name: 'staging-source-missing', description: 'spec.source.instance names an instance that does not exist: WaitingForSource, nothing is copied.', xr: (() => { const x = staging(); x.spec.source.instance = 'gone'; return x; })(), required: requiredWith(), steps: [roleReady, settled] },
  { name: 'staging-source-not-running', description: 'The source is still Initializing: the copy waits.', xr: staging(), required: requiredWith(instanceStatus('prod', { phase: 'Initializing', transitioning: true })), steps: [roleReady, settled] },
  // ---- migration
  { name: 'migration-copying', description: 'A migration instance copies the primary (prod, 17.0).', xr: migration(), required: requiredWith(), steps: [roleReady, { facts: { jobs: { copy: 'running' } } }] },
  { name: 'migration-migrating', description: 'Copied: the OpenUpgrade step to 18.0 runs with release 2.0.0.', xr: migration(), required: requiredWith(), steps: [roleReady, settled, { facts: { jobs: { migrate: 'running' } } }] },
  { name: 'migration-failed', description: 'The migration step failed: MigrationFailed; prod keeps serving.', xr: migration(), required: requiredWith(), steps: [roleReady, settled, settled, { facts: { jobs: { migrate: 'failed' } } }] },
  { name: 'migration-ready', description: 'Migrated and running 2.0.0, ready to promote; no cron until it is the primary.', xr: migration(), required: requiredWith(), steps: [roleReady, settled, settled, settled, settled] },
  // ---- testing
  {
    name: 'production-autoscaled',
    description: 'Production web Pods scaled by a HorizontalPodAutoscaler between 2 and 6 on CPU; the HPA had scaled to 4, which the next call keeps. The App lets each role hold 256 connections: 7 web Pods (6 and a rollout\'s) of 3 pools each would not fit the default 128.',
    xr: (() => { const x = production(); x.spec.autoscaling = { minReplicas: 2, maxReplicas: 6, targetCPUUtilization: 60 }; return x; })(),
    required: requiredWith((objects) => {
      objects.find((o) => o.kind === 'App')!.spec.database.appCredentials = { connectionLimit: 256 };
      return objects;
    }),
    steps: [roleReady, settled, settled, settled, settled],
  },
  {
    name: 'production-scheduled-backups',
    description: 'The App names backup storage: the running production instance backs up every night by a CronJob (Kubernetes runs each as a Job), before upgrades to the bucket.',
    xr: production(),
    required: requiredWith((objects) => {
      const app = objects.find((o) => o.kind === 'App')!;
      app.spec.backup = { storage: { endpoint: 'https://s3.acme.example', bucket: 'acme-odoo-backups', prefix: 'odoo', credentialsSecretName: 'odoo-backup-s3' } };
      return objects;
    }),
    steps: [roleReady, settled, settled, settled, settled],
  },
  {
    name: 'testing-expired',
    description: 'The tenant gives testing instances 72h; the lifetime Job (no Pod) passed its deadline: web and cron stop, Expired says so.',
    xr: testing(),
    required: requiredWith((objects) => { const t = objects.find((o) => o.kind === 'Tenant')!; t.spec.testing = { ...t.spec.testing, lifetime: '72h' }; return objects; }),
    steps: [roleReady, settled, settled, settled, settled, { facts: { lifetimeOver: true } }],
  },
  { name: 'testing-initializing', description: 'A testing instance installs its modules with demo data.', xr: testing(), required: requiredWith(), steps: [roleReady, { facts: { jobs: { init: 'running' } } }] },
  { name: 'testing-testing', description: 'Initialized: the test Job runs the tenant’s test tags.', xr: testing(), required: requiredWith(), steps: [roleReady, settled, { facts: { jobs: { test: 'running' } } }] },
  { name: 'testing-passed', description: 'Tests passed: Passed, and the instance runs for inspection.', xr: testing(), required: requiredWith(), steps: [roleReady, settled, settled, settled, settled] },
  { name: 'testing-failed', description: 'Tests failed: Failed, the condition names the failed tests from the Job’s Pod, kept running for inspection.', xr: testing(), required: requiredWith((o) => [...o, failedTestPod('acme', 'ci-test-1-4-1', 'acme_sale: FAIL TestSaleOrder.test_confirm_sends_mail\n')]), steps: [roleReady, settled, { facts: { jobs: { test: 'failed' } } }, { facts: { jobs: { test: 'failed' } } }] },
  // ---- dependencies
  { name: 'instance-tenant-missing', description: 'The Tenant named by spec.tenantRef does not exist: a Fatal result names it; nothing is changed.', xr: production(), required: requiredWith((o) => o.filter((x) => x.kind !== 'Tenant')), steps: [] },
  // ---- tenant
  { name: 'tenant-promotion-locked', description: 'The KAM sets primaryInstance to v18 while v18 is still Migrating: locked, the base route stays on prod.', xr: tenant(), required: requiredWith(addInstance('v18', 'migration', { phase: 'Migrating', transitioning: true }, '2.0.0')), steps: [settled, { edit: (x) => { x.spec.primaryInstance = 'v18'; } }] },
  { name: 'tenant-cut-over', description: 'v18 finished its rehearsal and runs; the KAM promotes it: the cut-over starts. prod stops, acme.odoo.example shows the maintenance page (status.cutOver) while v18 copies prod again and migrates it.', xr: tenant(), required: requiredWith(addInstance('v18', 'migration', { phase: 'Running', runningRelease: '2.0.0', transitioning: false }, '2.0.0')), steps: [settled, { edit: (x) => { x.spec.primaryInstance = 'v18'; } }] },
  { name: 'tenant-promotion-applied', description: 'v18 took prod over at the cut-over the Tenant recorded (status.cutOverFrom and cutOverToken match the Tenant’s status.cutOver) and runs: the base host name now routes to v18, prod gets prod.acme.odoo.example.', xr: tenant(), required: requiredWith(addInstance('v18', 'migration', { phase: 'Running', runningRelease: '2.0.0', transitioning: false, cutOverFrom: 'prod', cutOverToken: 2 }, '2.0.0')), steps: [settled, { edit: (x) => { x.spec.primaryInstance = 'v18'; x.status = { ...x.status, cutOver: { instance: 'v18', from: 'prod', token: 2 } }; } }] },
  { name: 'tenant-primary-missing', description: 'primaryInstance names an instance that does not exist: refused, routes keep pointing at prod.', xr: tenant(), required: requiredWith(), steps: [settled, { edit: (x) => { x.spec.primaryInstance = 'nope'; } }] },
  { name: 'tenant-primary-is-testing', description: 'primaryInstance names the testing instance: refused.', xr: tenant(), required: requiredWith(), steps: [settled, { edit: (x) => { x.spec.primaryInstance = 'ci'; } }] },
  { name: 'tenant-hostname-locked', description: 'baseHostName changes while staging copies: locked, routes keep the old host.', xr: tenant(), required: requiredWith(instanceStatus('staging', { phase: 'Copying', transitioning: true })), steps: [settled, { edit: (x) => { x.spec.baseHostName = 'erp.acme.odoo.example'; } }] },
  { name: 'tenant-maintenance', description: 'prod is stopped for its upgrade (status.serving false): acme.odoo.example routes to the tenant’s maintenance page.', xr: tenant(), required: requiredWith(), steps: [settled, { editRequired: instanceStatus('prod', { phase: 'Upgrading', transitioning: true, serving: false }) }] },
  {
    name: 'tenant-custom-domains',
    description: 'The customer brings erp.customer.com for the primary instance, which the App lists as the namespace’s (customDomainOwners) and names a cert-manager issuer: a route, a Certificate and the ReferenceGrant the Gateway needs. The mail catcher UI is routed behind basic auth.',
    xr: tenant(),
    required: requiredWith((objects) => {
      const app = objects.find((o) => o.kind === 'App')!;
      app.spec.routing.certificateIssuer = { kind: 'ClusterIssuer', name: 'letsencrypt' };
      app.spec.routing.customDomainOwners = [...(app.spec.routing.customDomainOwners ?? []), { namespace: 'acme', domains: ['customer.com'] }];
      app.spec.mail = { catcher: { uiAuthSecretName: 'mailpit-users' } };
      return objects;
    }),
    steps: [settled, { edit: (x) => { x.spec.customDomains = ['erp.customer.com']; } }],
  },
  { name: 'tenant-hostname-applied', description: 'baseHostName changes with nothing transitioning: every route moves to the new host.', xr: tenant(), required: requiredWith(), steps: [settled, { edit: (x) => { x.spec.baseHostName = 'erp.acme.odoo.example'; } }] },
];

export interface ScenarioFiles {
  dir: string;
  files: { name: string; content: string }[];
}

const HEADER = (s: Scenario) => `# Scenario ${s.name}: ${s.description}\n# Generated by scripts/scenarios.ts (npm run generate); do not edit.\n`;

function yamlDocs(objects: Obj[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}

/** Plays a scenario and returns the files of its folder. */
export async function scenarioFiles(s: Scenario): Promise<ScenarioFiles> {
  let xr = structuredClone(s.xr);
  let required = structuredClone(s.required);
  let observed: Record<string, Obj> = {};
  for (const step of s.steps) {
    const rsp = await runFunction(xr, observed, required);
    // Crossplane writes the status and conditions the call returned onto the XR.
    xr = xrAfter(xr, rsp);
    step.edit?.(xr);
    if (step.editRequired) required = step.editRequired(required);
    observed = observe(rsp, step.facts ?? {});
  }
  const files = [
    { name: 'xr.yaml', content: HEADER(s) + stringify(xr, { lineWidth: 0 }) },
    { name: 'required.yaml', content: HEADER(s) + yamlDocs(required) },
  ];
  const observedObjects = Object.keys(observed)
    .sort()
    .map((k) => observed[k]!);
  if (observedObjects.length > 0) files.push({ name: 'observed.yaml', content: HEADER(s) + yamlDocs(observedObjects) });
  return { dir: `examples/scenarios/${s.name}`, files };
}
