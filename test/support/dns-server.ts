/**
 * A real DNS server on loopback for tests: publish and withdraw TXT records, then resolve them
 * through the product's DNS adapter (no stubbed resolver).
 */
import dns2 from 'dns2';

const { Packet } = dns2;

export interface TestDnsServer {
  /** `host:port`, as `DNS_SERVERS` takes it. */
  readonly address: string;
  setTxt(name: string, values: string[]): void;
  removeTxt(name: string): void;
  close(): Promise<void>;
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const records = new Map<string, string[]>();
  const server = dns2.createServer({
    udp: true,
    tcp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const name = question?.name.toLowerCase().replace(/\.$/, '') ?? '';
      const values = records.get(name);
      if (!values) {
        response.header.rcode = 3; // NXDOMAIN
      } else if (question?.type === Packet.TYPE.TXT) {
        for (const value of values) {
          // A TXT record is a list of strings of at most 255 octets; long values are split, as DNS consoles do.
          const data = value.match(/[\s\S]{1,255}/g) ?? [''];
          const answer = {
            name: question.name,
            type: Packet.TYPE.TXT,
            class: Packet.CLASS.IN,
            ttl: 300,
            data,
          };
          // dns2's typings want a class instance here; it encodes plain records the same way.
          response.answers.push(answer as unknown as (typeof response.answers)[number]);
        }
      }
      send(response);
    },
  });
  const listening = await server.listen({
    udp: { port: 0, address: '127.0.0.1' },
    tcp: { port: 0, address: '127.0.0.1' },
  });
  const udpPort = (listening as { udp: { port: number } }).udp.port;
  return {
    address: `127.0.0.1:${udpPort}`,
    setTxt: (name, values) => records.set(name.toLowerCase(), values),
    removeTxt: (name) => records.delete(name.toLowerCase()),
    close: () => server.close(),
  };
}
