// Where GitLab's Admin area keeps each setting a fix names: one spelling for every check. GitLab 18.9's own steps
// (gitlab-org/gitlab doc/administration/gitlab_duo_self_hosted/configure_duo_features.md, 6714c9136): "select Admin",
// "select GitLab Duo", then "Change configuration" or "Configure GitLab Duo Self-Hosted".

/** Where the health check runs (its "Run health check" button). */
export const ADMIN_DUO = 'Admin > GitLab Duo';
/** The instance's Duo settings: the AI gateway URL, the connection method, the Agent Platform service URL. */
export const ADMIN_DUO_CONFIGURATION = `${ADMIN_DUO} > Change configuration`;
/** The AI gateway URL setting (application setting ai_gateway_url). */
export const ADMIN_AI_GATEWAY_URL = `${ADMIN_DUO_CONFIGURATION} > Local AI Gateway URL`;
/** The self-hosted models: add, edit (endpoint, identifier, API key). */
export const ADMIN_SELF_HOSTED = `${ADMIN_DUO} > Configure GitLab Duo Self-Hosted`;
/** Which self-hosted model serves each feature. */
export const ADMIN_FEATURES = `${ADMIN_SELF_HOSTED} > AI-native features`;
