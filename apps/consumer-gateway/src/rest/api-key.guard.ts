import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { CustomerEntitlements } from '@tickwire/subscriptions';
import type { IncomingMessage } from 'node:http';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';

/** Header carrying the API key on REST calls (as AWS API Gateway's `x-api-key`). */
export const API_KEY_HEADER = 'x-api-key';

/** A request that passed {@link ApiKeyGuard}: its key's entitlements. */
export type AuthenticatedRequest = IncomingMessage & { entitlements: CustomerEntitlements };

/**
 * REST authentication: the `x-api-key` header (or `Authorization: Bearer <key>`) must be a valid,
 * unrevoked key; 401 otherwise. Entitlements are checked per endpoint (403).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly authenticator: ApiKeyAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers[API_KEY_HEADER];
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const key = (Array.isArray(header) ? header[0] : header) ?? bearer;
    if (!key || key.length > 256) throw new UnauthorizedException(`missing API key (header ${API_KEY_HEADER})`);
    const entitlements = await this.authenticator.authenticate(key);
    if (!entitlements) throw new UnauthorizedException('invalid or revoked API key');
    request.entitlements = entitlements;
    return true;
  }
}
