import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { InjectServiceConfig } from '@tickwire/service-kit';
import type { GatewayConfig } from '../config/gateway-config';

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) -> `10.0.0.1`; other addresses unchanged. */
function unmapped(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/**
 * The trusted proxies of TRUSTED_PROXIES (CIDRs such as `10.40.0.0/16`) as a `BlockList`.
 *
 * @throws RangeError on an entry that is not `<IPv4 or IPv6 address>/<prefix length>` (the config
 *   schema refuses those first).
 */
export function trustedProxyList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', bits = ''] = cidr.split('/');
    const family = isIP(address);
    const prefix = Number(bits);
    if (family === 0 || !/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) {
      throw new RangeError(`not a CIDR: ${cidr}`);
    }
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/**
 * The client address of a request that may have passed trusted proxies (e.g. the AWS Application
 * Load Balancer, which appends the address it saw to `X-Forwarded-For`): starting at the socket's
 * peer, while the address at hand is a trusted proxy, step to the next `X-Forwarded-For` entry from
 * the right. The first untrusted address is the client; entries left of it are the client's own
 * claims and never used. Express's `trust proxy` (the proxy-addr package) walks the same way.
 *
 * @param peer the socket's remote address (undefined once the socket closed)
 * @param forwardedFor the `X-Forwarded-For` header(s)
 * @returns the client address, `unknown` without a peer
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: BlockList,
): string {
  if (peer === undefined) return 'unknown';
  let address = unmapped(peer);
  const hops = [forwardedFor ?? []]
    .flat()
    .flatMap((header) => header.split(','))
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0)
    .reverse();
  for (const hop of hops) {
    const family = isIP(address);
    if (family === 0 || !trusted.check(address, family === 4 ? 'ipv4' : 'ipv6')) break;
    address = unmapped(hop);
  }
  return address;
}

/**
 * Client addresses for the per-address limits (auth attempts, pending WebSockets, failed REST keys):
 * the socket peer, or behind the load balancer the address it forwarded, trusting only the proxies
 * of TRUSTED_PROXIES (none by default: a directly reachable gateway must not believe the header).
 */
@Injectable()
export class ClientAddresses {
  private readonly trusted: BlockList;

  constructor(@InjectServiceConfig() config: Pick<GatewayConfig, 'TRUSTED_PROXIES'>) {
    this.trusted = trustedProxyList(config.TRUSTED_PROXIES);
  }

  /** The client address of `request` (see {@link clientAddress}). */
  of(request: IncomingMessage): string {
    return clientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for'], this.trusted);
  }
}
