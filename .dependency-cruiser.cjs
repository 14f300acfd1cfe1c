/** Import boundaries (docs/architecture.md, "Layers and import rules"): imports point inward. */
const adapters = '^src/(store|jobs|slack|pagerduty|broker|http|workspace)/';
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular imports hide an unclear design.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ imports nothing of ours (and no I/O library).',
      from: { path: '^src/domain/' },
      to: { path: '^src/(?!domain/)|^node_modules/|^(fs|net|http|https|child_process|node:)', pathNot: '^src/domain/' },
    },
    {
      name: 'service-imports-domain-only',
      severity: 'error',
      comment: 'service/ talks to the outside only through the ports it declares.',
      from: { path: '^src/service/' },
      to: { path: '^src/(?!service/|domain/)' },
    },
    {
      name: 'service-support-serves-use-cases',
      severity: 'error',
      comment: 'service/support/ and service/ports/ are what use cases stand on; they never reach into a use case.',
      from: { path: '^src/service/(support|ports)/' },
      to: { path: '^src/service/use-cases/' },
    },
    {
      name: 'policy-imports-domain-only',
      severity: 'error',
      from: { path: '^src/policy/' },
      to: { path: '^src/(?!policy/|domain/)' },
    },
    {
      name: 'adapters-do-not-import-each-other',
      severity: 'error',
      comment: 'Adapters meet only in the composition root: src/app.ts, started by src/main.ts.',
      from: { path: '^src/(store|jobs|slack|pagerduty|http)/' },
      to: { path: adapters, pathNot: '^src/$1/' },
    },
    {
      name: 'net-is-shared-plumbing',
      severity: 'error',
      comment: 'net/ is what the calling adapters share: it imports nothing else of ours.',
      from: { path: '^src/net/' },
      to: { path: '^src/(?!net/)' },
    },
    {
      name: 'workspace-stands-in-for-slack',
      severity: 'error',
      comment:
        'workspace/ (the local page standing in for Slack) speaks to the bot only over HTTP, as Slack does: it imports no adapter, no use case, and nothing imports it but the composition root.',
      from: { path: '^src/workspace/' },
      to: { path: '^src/(?!workspace/|domain/|service/ports/|config\.ts$)' },
    },
    {
      name: 'only-the-root-knows-the-workspace',
      severity: 'error',
      from: { path: '^src/(?!app\\.ts$|workspace/)' },
      to: { path: '^src/workspace/' },
    },
    {
      name: 'broker-server-stands-alone',
      severity: 'error',
      comment: 'The reference broker runs as its own process: it shares only domain/ with the bot.',
      from: { path: '^src/broker/server/' },
      to: { path: '^src/(?!broker/server/|domain/)' },
    },
    {
      name: 'slack-stays-off-infrastructure',
      severity: 'error',
      comment: 'slack/ never imports bullmq, jose or pdjs: Slack code stays off the infrastructure libraries.',
      from: { path: '^src/slack/' },
      to: { path: 'node_modules/(bullmq|jose|@pagerduty)/' },
    },
    { name: 'not-to-test', severity: 'error', from: { path: '^src/' }, to: { path: '^test/' } },
    { name: 'no-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
