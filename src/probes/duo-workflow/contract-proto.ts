// The Duo Workflow Service's gRPC contract, verbatim: flyisland/ai-gateway, contract/contract.proto, commit 04a4064d031a33d71de8bdd2774094f18b1186ec
// (unchanged at HEAD 95a8d76dd). Kept as text so the bundled CLI needs no data file beside it; parsed lazily by ./contract.ts.
// The file has no backslashes; its two backticks are escaped (\`), so the string equals the file byte for byte.
export const CONTRACT_PROTO = `syntax = "proto3";

import "google/protobuf/struct.proto";

option go_package = "gitlab.com/gitlab-org/modelops/applied-ml/code-suggestions/ai-assist/clients/gopb";
option ruby_package = "DuoWorkflowService";

service DuoWorkflow {
    rpc ExecuteWorkflow (stream ClientEvent) returns (stream Action);
    rpc GenerateToken (GenerateTokenRequest) returns (GenerateTokenResponse);
    rpc ListTools (ListToolsRequest) returns (ListToolsResponse);
    rpc ListFlows (ListFlowsRequest) returns (ListFlowsResponse);
    rpc TrackSelfHostedExecuteWorkflow (stream TrackSelfHostedClientEvent) returns (stream TrackSelfHostedAction);
    rpc ValidateFlowConfig (ValidateFlowConfigRequest) returns (ValidateFlowConfigResponse);
}

message ClientEvent {
    oneof response {
        StartWorkflowRequest startRequest = 1;
        ActionResponse actionResponse = 2;
        HeartbeatRequest heartbeat = 3;
        StopWorkflowRequest stopWorkflow = 4;
    }
}

message StartWorkflowRequest {
    string clientVersion = 1;
    string workflowID = 2;
    string workflowDefinition = 3 [deprecated = true]; // Use flowConfigId + flowConfigSchemaVersion + flowVersion instead
    string goal = 4;
    string workflowMetadata = 5;
    repeated string clientCapabilities = 6;
    reserved 7; // Previously used for removed ContextElement field
    repeated McpTool mcpTools = 8;
    repeated AdditionalContext additional_context = 9 [json_name = "additional_context"];
    optional Approval approval = 10;
    optional google.protobuf.Struct flowConfig = 11;
    optional string flowConfigSchemaVersion = 12; // Platform version: "v1" or "experimental". Required with flowConfigId.
    repeated string preapproved_tools = 13 [json_name = "preapproved_tools"];
    optional string flowConfigId = 14;    // Flow name, e.g. "developer". Requires flowConfigSchemaVersion and flowVersion.
    optional string flowVersion = 15;     // Semver flow version, e.g. "1.0.0". Required when flowConfigId is set.
}

message ActionResponse {
    string requestID = 1;
    reserved 2;
    reserved "response";
    oneof response_type {
        PlainTextResponse plainTextResponse = 3;
        HttpResponse httpResponse = 4;
    };
}

message HeartbeatRequest {
    int64 timestamp = 1;
}

message StopWorkflowRequest {
    string reason = 1;
}

message PlainTextResponse {
    string response = 1;
    string error = 2;
}

message HttpResponse {
    map<string, string> headers = 1;
    int32 statusCode = 2;
    string body = 3;
    string error = 4;
}

message Action {
    string requestID = 1;
    oneof action {
        RunCommandAction runCommand = 2;
        RunHTTPRequest runHTTPRequest = 3;
        ReadFile runReadFile = 4;
        WriteFile runWriteFile = 5;
        RunGitCommand runGitCommand = 6;
        EditFile runEditFile = 7;
        NewCheckpoint newCheckpoint = 8;
        ListDirectory listDirectory = 9;
        Grep grep = 10;
        FindFiles findFiles = 11;
        RunMCPTool runMCPTool = 12;
        Mkdir mkdir = 13;
        ReadFiles runReadFiles = 14;
        RunShellCommand runShellCommand = 15;
        TrackLlmCallForSelfHosted trackLlmCallForSelfHosted = 16;
    };
}

message TrackLlmCallForSelfHosted {
    string workflowID = 1;
    string featureQualifiedName = 2;
    bool featureAiCatalogItem = 3;
}

message RunShellCommand {
    string command = 1;
    optional int64 timeout = 2;
}

message RunCommandAction {
    reserved 1, 2;
    reserved "command", "withGitCredentials";
    string program = 3;
    repeated string arguments = 4;
    repeated string flags = 5;
    optional int64 timeout = 6;
}

message ReadFile {
    string filepath = 1;
    optional int64 limit = 2;
    optional int64 offset = 3;
}

message ReadFiles {
    repeated string filepaths = 1;
}

message WriteFile {
    string filepath = 1;
    string contents = 2;
}

message EditFile {
    string filepath = 1;
    string oldString = 2;
    string newString = 3;
}

message RunHTTPRequest {
    string method = 1;
    string path = 2;
    optional string body = 3;
}

message RunGitCommand {
    string command = 1;
    optional string arguments = 2;
    string repository_url = 3 [json_name = "repository_url"];
}

message GenerateTokenRequest {
    optional string workflowDefinition = 1;
}

message GenerateTokenResponse {
    string token = 1;
    int64 expiresAt = 2;
    repeated string server_capabilities = 3;
}

message ListToolsRequest {
    // Intentionally empty
}

message ListToolsResponse {
  repeated google.protobuf.Struct tools = 1;
  repeated google.protobuf.Struct eval_dataset = 2 [json_name = "eval_dataset"];
}


message ListFlowsRequest {
    optional ListFlowsRequestFilter filters = 1;
}

message ListFlowsRequestFilter {
    reserved 1;
    reserved "name";
    repeated string flow_identifier = 4 [json_name = "flow_identifier"];
    repeated string environment = 2;
    repeated string version = 3;
}

message ListFlowsResponse {
  repeated google.protobuf.Struct configs = 1;
}

message TokenBreakdown {
    int32 total_tokens = 1;
    int32 max_tokens = 2;
}

message NewCheckpoint {
    string status = 1;
    string checkpoint = 2;
    string goal = 3;
    repeated string errors = 4;
    map<string, TokenBreakdown> agent_context_usage = 5;
}

message ListDirectory {
    string directory = 1;
}

message Grep {
    string search_directory = 1 [json_name = "search_directory"];
    string pattern = 2;
    bool case_insensitive = 3 [json_name = "case_insensitive"];
}

message FindFiles {
    string name_pattern = 1 [json_name = "name_pattern"];
}

message Icon {
    string url = 1;
    optional string mime_type = 2;
    repeated string sizes = 3;
    optional string theme = 4;
}

message ToolAnnotations {
    optional string title = 1;
    optional bool read_only_hint = 2;
    optional bool destructive_hint = 3;
    optional bool idempotent_hint = 4;
    optional bool open_world_hint = 5;
}

message McpTool {
    string name = 1;
    string description = 2;
    string inputSchema = 3;
    optional Icons icons = 4;
    optional ToolAnnotations annotations = 5;
    optional bool trusted = 6;
}

message Icons {
    repeated Icon items = 1;
}

message RunMCPTool {
    string name = 1;
    string args = 2;
}

message AdditionalContext {
    string category = 1;
    optional string id = 2;
    optional string content = 3;
    optional string metadata = 4;
}

message Approval {
    message Approved {
        optional bool remember_approval = 1 [json_name = "remember_approval"];
        optional string tool_name = 2 [json_name = "tool_name"];
        optional string tool_args_json = 3 [json_name = "tool_args_json"];
    }

    message Rejected {
        optional string message = 1;
    }

    oneof user_decision {
        Approved approval = 1;
        Rejected rejection = 2;
    };
}

message Mkdir {
    string directory_path = 1 [json_name = "directory_path"];
}

message OsInformationContext {
    string platform = 1;
    string architecture = 2;
}

message ShellInformationContext {
    string shell_name = 1 [json_name = "shell_name"];
    string shell_type = 2 [json_name = "shell_type"];
    optional string shell_variant = 3 [json_name = "shell_variant"];
    optional string shell_environment = 4 [json_name = "shell_environment"];
    optional bool ssh_session = 5 [json_name = "ssh_session"];
    optional string cwd = 6;
}

message TrackSelfHostedClientEvent {
    string requestID = 1;
    string workflowID = 2;
    string featureQualifiedName = 3;
    bool featureAiCatalogItem = 4;
}

message TrackSelfHostedAction {
    string requestID = 1;
}

message ValidateFlowConfigRequest {
    // The flow configuration payload as a JSON/YAML-equivalent struct.
    // Must contain a top-level \`version\` field identifying the schema
    // (e.g. "v1" or "experimental").
    google.protobuf.Struct flow_config = 1 [json_name = "flow_config"];
    reserved 2;
    reserved "schema_version";
}

message ValidateFlowConfigResponse {
    // Whether the flow configuration is valid.
    bool valid = 1;
    // List of validation error messages. Empty when valid is true.
    repeated string errors = 2;
}
`;
