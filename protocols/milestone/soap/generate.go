// Package soap is Vigil's client for Milestone XProtect's management server
// (ServerCommandService, SOAP 1.1 over HTTPS for XProtect Basic users; see
// shared/research/milestone.md §1). The wire types are in the servercommand and
// recordercommand packages, as gowsdl generated them from servercommand.wsdl and
// recordercommand.wsdl (minimal WSDLs written for Vigil), without gowsdl's per-operation
// service wrappers: one generic call (callOp) serves every operation of both. This
// package adds what gowsdl v0.5.0 lacks: per-call context and timeout, kept-alive
// connections, a response size cap, SOAP faults decoded from HTTP 500 bodies, certificate
// pinning, and a Session that renews the token before its TimeToLive runs out.
package soap

// To add an operation: its request and response types in the WSDL and in the types
// package (`go tool gowsdl -p x -o x.go x.wsdl` writes them, with wrappers to drop), and
// a method here calling callOp with the operation's name.
