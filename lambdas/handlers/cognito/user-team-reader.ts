/**
 * The one read the pre-token trigger makes: a user's team link, by its key, with GetItem (strongly
 * consistent, so a join or a removal shows in the very next token). Its role may do exactly this and
 * nothing else (FunctionAccess `userTeamLinks`: GetItem on `USER#…` keys only), which is why it does
 * not go through the CreditStore (whose reads are BatchGetItem, on any item).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { userTeamKey } from '../../adapters/dynamodb/keys';
import { itemToUserTeam } from '../../adapters/dynamodb/items';
import type { UserTeamLink } from '../../domain/credit-store';

/** A user's team link, or null when they never joined one; `signal` aborts the read (a deadline). */
export type ReadUserTeam = (userId: string, signal?: AbortSignal) => Promise<UserTeamLink | null>;

export function dynamoDbUserTeamReader(db: DynamoDBDocumentClient, tableName: string): ReadUserTeam {
  return async (userId, signal) => {
    const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: userTeamKey(userId), ConsistentRead: true }), signal ? { abortSignal: signal } : {});
    return Item && Item.kind === 'user-team' ? itemToUserTeam(Item) : null;
  };
}
