// The check registry: every check, in the order reports list them — grouped by category in the catalogue's order,
// dependencies before their dependents. Explicit on purpose: a test fails when a file under checks/ is missing here.
import type { CheckDefinition } from '../src/check.js';
import agentPlatformService from './agent-platform-service.js';
import agentPlatformToken from './agent-platform-token.js';
import agentPlatformUrl from './agent-platform-url.js';
import authBypassSwitches from './auth-bypass-switches.js';
import caBundle from './ca-bundle.js';
import gatewayAuth from './gateway-auth.js';
import gatewayEnv from './gateway-env.js';
import gatewayEmptyVariables from './gateway-empty-variables.js';
import gatewayContainer from './gateway-container.js';
import gatewayExposure from './gateway-exposure.js';
import gatewayFetchesJwks from './gateway-fetches-jwks.js';
import gatewayHealth from './gateway-health.js';
import gatewayReachable from './gateway-reachable.js';
import gatewayTls from './gateway-tls.js';
import gatewayTrustsGitlab from './gateway-trusts-gitlab.js';
import featureSettings from './feature-settings.js';
import gatewayUrl from './gateway-url.js';
import gitlabHealthCheck from './gitlab-health-check.js';
import gitlabReachable from './gitlab-reachable.js';
import gitlabTls from './gitlab-tls.js';
import hfHomeWritable from './hf-home-writable.js';
import hostHeaderBypass from './host-header-bypass.js';
import jwksReachable from './jwks-reachable.js';
import jwksValid from './jwks-valid.js';
import knownVulnerabilities from './known-vulnerabilities.js';
import license from './license.js';
import modelEndpoints from './model-endpoints.js';
import modelServing from './model-serving.js';
import bedrockModels from './bedrock-models.js';
import duoInstanceSettings from './duo-instance-settings.js';
import proxyStreaming from './proxy-streaming.js';
import proxyTls from './proxy-tls.js';
import proxyTimeouts from './proxy-timeouts.js';
import proxyUpgrade from './proxy-upgrade.js';
import resources from './resources.js';
import runtimeHost from './runtime-host.js';
import systemExchange from './system-exchange.js';
import tmpWritable from './tmp-writable.js';
import tokenVerifies from './token-verifies.js';
import versionMatch from './version-match.js';

export const CHECKS: readonly CheckDefinition[] = [
  // network
  gitlabReachable,
  gatewayUrl,
  gatewayReachable,
  gatewayHealth,
  gatewayAuth,
  proxyStreaming,
  proxyTimeouts,
  // license
  license,
  // system-exchange
  systemExchange,
  gitlabHealthCheck,
  featureSettings,
  modelEndpoints,
  modelServing,
  bedrockModels,
  duoInstanceSettings,
  // runtime (before tls and jwks: the gateway's own view of them runs through runtime-host)
  runtimeHost,
  tmpWritable,
  hfHomeWritable,
  gatewayEnv,
  gatewayEmptyVariables,
  gatewayContainer,
  resources,
  // tls
  caBundle,
  gitlabTls,
  gatewayTls,
  gatewayTrustsGitlab,
  // jwks
  jwksReachable,
  jwksValid,
  tokenVerifies,
  gatewayFetchesJwks,
  // version
  versionMatch,
  // security
  hostHeaderBypass,
  authBypassSwitches,
  gatewayExposure,
  proxyTls,
  knownVulnerabilities,
  // agent-platform (the Duo Workflow Service and GitLab's agent WebSocket: the rake task's last two steps)
  agentPlatformUrl,
  agentPlatformToken,
  agentPlatformService,
  proxyUpgrade,
];
