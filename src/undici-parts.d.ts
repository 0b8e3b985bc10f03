// undici has no exports map and no types for its modules: these are the ones src/probes/undici.ts loads (typed there).
declare module 'undici/lib/dispatcher/agent.js' {
  const agent: unknown;
  export default agent;
}
declare module 'undici/lib/dispatcher/proxy-agent.js' {
  const proxyAgent: unknown;
  export default proxyAgent;
}
declare module 'undici/lib/core/connect.js' {
  const buildConnector: unknown;
  export default buildConnector;
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  const dispatcher: unknown;
  export default dispatcher;
}
declare module 'undici/lib/api/index.js' {
  const api: unknown;
  export default api;
}
