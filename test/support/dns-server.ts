/**
 * A real DNS server on loopback for tests: publish and withdraw TXT records, then resolve them
 * through the product's DNS adapter (no stubbed resolver). With `control`, it also answers a
 * small HTTP API so that other processes (test workers) can publish records on it.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import dns2 from 'dns2';

const { Packet } = dns2;

export interface TestDnsServer {
  /** `host:port`, as `DNS_SERVERS` takes it. */
  readonly address: string;
  /** The HTTP control API (`PUT`/`DELETE /txt/<name>`), when started with `control`. */
  readonly controlUrl: string | undefined;
  setTxt(name: string, values: string[]): void;
  removeTxt(name: string): void;
  /** Publishes A and AAAA records (IPv4 and IPv6 addresses) of a name. */
  setAddresses(name: string, addresses: string[]): void;
  close(): Promise<void>;
}

export async function startDnsServer(options: { control?: boolean } = {}): Promise<TestDnsServer> {
  const records = new Map<string, string[]>();
  const addresses = new Map<string, string[]>();
  const server = dns2.createServer({
    udp: true,
    tcp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const name = question?.name.toLowerCase().replace(/\.$/, '') ?? '';
      const hosts = addresses.get(name);
      if (hosts && (question?.type === Packet.TYPE.A || question?.type === Packet.TYPE.AAAA)) {
        const v6 = question.type === Packet.TYPE.AAAA;
        for (const address of hosts.filter((a) => a.includes(':') === v6)) {
          const answer = {
            name: question.name,
            type: question.type,
            class: Packet.CLASS.IN,
            ttl: 0,
            address,
          };
          response.answers.push(answer as unknown as (typeof response.answers)[number]);
        }
        send(response);
        return;
      }
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

  let control: HttpServer | undefined;
  let controlUrl: string | undefined;
  if (options.control) {
    control = createHttpServer((req, res) => {
      const match = /^\/(txt|a)\/([^/]+)$/.exec(req.url ?? '');
      if (!match) return res.writeHead(404).end();
      const table = match[1] === 'a' ? addresses : records;
      const name = decodeURIComponent(match[2]!).toLowerCase();
      if (req.method === 'DELETE') {
        table.delete(name);
        return res.writeHead(204).end();
      }
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        table.set(name, JSON.parse(body) as string[]);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => control!.listen(0, '127.0.0.1', resolve));
    controlUrl = `http://127.0.0.1:${(control.address() as { port: number }).port}`;
  }

  return {
    address: `127.0.0.1:${udpPort}`,
    controlUrl,
    setTxt: (name, values) => records.set(name.toLowerCase(), values),
    removeTxt: (name) => records.delete(name.toLowerCase()),
    setAddresses: (name, list) => addresses.set(name.toLowerCase(), list),
    close: async () => {
      await new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve()));
      await server.close();
    },
  };
}

/** Publishes records on a DNS server started with `control` by another process. */
export function remoteDns(controlUrl: string) {
  const url = (name: string) => `${controlUrl}/txt/${encodeURIComponent(name)}`;
  return {
    async setTxt(name: string, values: string[]): Promise<void> {
      const res = await fetch(url(name), { method: 'PUT', body: JSON.stringify(values) });
      if (!res.ok) throw new Error(`DNS control answered ${res.status}`);
    },
    async removeTxt(name: string): Promise<void> {
      const res = await fetch(url(name), { method: 'DELETE' });
      if (!res.ok) throw new Error(`DNS control answered ${res.status}`);
    },
    /** Publishes A and AAAA records of a name. */
    async setAddresses(name: string, list: string[]): Promise<void> {
      const res = await fetch(`${controlUrl}/a/${encodeURIComponent(name)}`, {
        method: 'PUT',
        body: JSON.stringify(list),
      });
      if (!res.ok) throw new Error(`DNS control answered ${res.status}`);
    },
  };
}
