import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { CustomerEntitlements } from '@tickwire/subscriptions';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { AuthFailureThrottle } from '../auth/auth-failure-throttle';
import { ClientAddresses } from '../auth/client-addresses';
import { ProblemException } from './problem-details';

/** Header carrying the API key on REST calls (as AWS API Gateway's `x-api-key`). */
export const API_KEY_HEADER = 'x-api-key';

/** A request that passed {@link ApiKeyGuard}: its key's entitlements. */
export type AuthenticatedRequest = IncomingMessage & { entitlements: CustomerEntitlements };

/**
 * REST authentication: the `x-api-key` header (or `Authorization: Bearer <key>`) must be a valid,
 * unrevoked key; 401 (`unauthenticated`) otherwise. Entitlements are checked per endpoint (403). Failed
 * attempts are throttled per client address ({@link AuthFailureThrottle}): 429
 * (`too-many-auth-failures`) with `Retry-After` (seconds).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly throttle: AuthFailureThrottle,
    private readonly clients: ClientAddresses,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<ServerResponse>();
    const address = this.clients.of(request);
    const wait = this.throttle.retryAfterSeconds(address);
    if (wait > 0) throw tooManyAttempts(response, wait);
    const header = request.headers[API_KEY_HEADER];
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const key = (Array.isArray(header) ? header[0] : header) ?? bearer;
    if (!key || key.length > 256)
      throw this.failed(response, address, `missing API key (header ${API_KEY_HEADER})`);
    const entitlements = await this.authenticator.authenticate(key);
    if (!entitlements) throw this.failed(response, address, 'invalid or revoked API key');
    request.entitlements = entitlements;
    return true;
  }

  /** 401, or 429 when this failure spent the address's budget. */
  private failed(response: ServerResponse, address: string, reason: string): ProblemException {
    const blocked = this.throttle.recordFailure(address);
    return blocked > 0 ? tooManyAttempts(response, blocked) : new ProblemException('unauthenticated', reason);
  }
}

function tooManyAttempts(response: ServerResponse, seconds: number): ProblemException {
  response.setHeader('Retry-After', String(seconds));
  return new ProblemException(
    'tooManyAuthFailures',
    `too many failed authentications from this address; retry after ${seconds} s`,
  );
}
