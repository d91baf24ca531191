// The shape of an https:// service's TLS as audits see it: one schema for the route view and the public UpstreamTlsInfo type.
import { Type } from '@sinclair/typebox';

/** How figway connects to an https:// service, for audits (the UpstreamTlsInfo type of plugins is this). */
export const UpstreamTlsSchema = Type.Object(
  {
    verify: Type.Boolean({ description: 'false with tls.insecure: true: any certificate is accepted.' }),
    ca: Type.Union([Type.Literal('private'), Type.Literal('public')], { description: "private: only the CAs in tls.ca or tls.caFile; public: Node's bundled public CAs." }),
    clientCertificate: Type.Boolean({ description: 'Whether figway presents a client certificate (mutual TLS).' }),
  },
  { additionalProperties: false, description: "An https:// service only: how figway checks the service's certificate, and whether it presents one." },
);
