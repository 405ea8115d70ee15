// Generated from docs/openapi.json by `npm run openapi` (scripts/openapi-client.mjs). Do not edit.

export interface paths {
    "/v1/pricing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What each model costs per output */
        get: operations["getPricing"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/quotes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The price of a generation before it is made */
        post: operations["createQuote"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/balance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Spendable credits and their buckets in drain order */
        get: operations["getBalance"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/ledger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The ledger, newest first */
        get: operations["listLedger"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recent generations, newest first */
        get: operations["listGenerations"];
        put?: never;
        /** Pay for a generation and queue it */
        post: operations["createGeneration"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of the caller's generations */
        get: operations["getGeneration"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generations/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a queued or running generation, refunding it unless the model already completed it
         * @description Queued: it never runs, and is refunded. Running: the provider is asked to stop it where it can; it is refunded unless the provider had already completed it (then 409 `generation_finished`, and the outputs arrive as usual). Who asked for it, an admin or the owner may cancel it.
         */
        post: operations["cancelGeneration"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/coupons/redeem": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Credit a coupon to the caller's account, once per account */
        post: operations["redeemCoupon"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/coupons": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Issue a batch of coupon codes (admin group) */
        post: operations["createCoupons"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/topups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a card payment for credits (owner); they land once it succeeds */
        post: operations["createTopup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/stripe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stripe events (signed; applied once) */
        post: operations["stripeWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auto-refill": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Auto-refill settings and state (the saved card for the owner only) */
        get: operations["getAutoRefill"];
        /** Turn auto-refill on or off, or change its amounts (owner) */
        put: operations["putAutoRefill"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/subscription": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Subscribe, or change plan with proration (owner) */
        post: operations["changeSubscription"];
        /** Cancel at the end of the paid period (owner) */
        delete: operations["cancelSubscription"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/payg": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Pay-as-you-go on or off (owner) */
        put: operations["putPayg"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/billing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Everything the billing page shows (owner) */
        get: operations["getBilling"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/team": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The wallet's seats, members and pending invites (a member: their own row) */
        get: operations["getTeam"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/team/invites": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Invite someone to the wallet (owner, admin); the invite holds a seat until used, revoked or expired */
        post: operations["createTeamInvite"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/team/invites/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a pending invite (owner, admin); its seat is free again */
        delete: operations["revokeTeamInvite"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/team/join": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Join the wallet an invite code leads to (for yourself) */
        post: operations["joinTeam"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/team/members/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a member (owner, admin), or leave (any member); the owner cannot be removed */
        delete: operations["removeTeamMember"];
        options?: never;
        head?: never;
        /** Change a member's role or monthly cap (owner; admins change members, not the owner or admins) */
        patch: operations["changeTeamMember"];
        trace?: never;
    };
    "/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Generations and credits by member, model and day (a member: their own), at most 93 days */
        get: operations["getUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        GenerationParams: {
            /**
             * @description What to generate.
             * @example A banana surfing a wave at sunset
             */
            prompt: string;
            /**
             * @description One of the model's aspect ratios (GET /v1/pricing lists them).
             * @example 16:9
             */
            aspectRatio?: string;
            /**
             * @description Video models: one of the resolutions offered.
             * @example 720p
             */
            resolution?: string;
            /** @description Video models: one of the clip lengths offered. */
            durationSeconds?: number;
            seed?: number;
            /** @description Earlier image outputs of this wallet (`<generation id>/<index>`). */
            referenceImages?: string[];
            /** @description Local stack only: steers the simulated model (fail, timeout, crash). */
            simulate?: string;
        };
        /** @description A Stripe event, verified on its raw bytes. */
        StripeEvent: {
            id: string;
            type: string;
        } & {
            [key: string]: unknown;
        };
        /**
         * @example {
         *       "models": [
         *         {
         *           "id": "nano-banana-2",
         *           "name": "Nano Banana 2",
         *           "kind": "image",
         *           "unit": "image",
         *           "credits": 8,
         *           "options": {
         *             "aspectRatios": [
         *               "1:1",
         *               "16:9"
         *             ],
         *             "seed": true,
         *             "maxReferenceImages": 3
         *           }
         *         }
         *       ],
         *       "topup": {
         *         "centsPerCredit": 1
         *       }
         *     }
         */
        Pricing: {
            models: components["schemas"]["ModelPrice"][];
            topup: {
                /** @description US cents per top-up credit. */
                centsPerCredit: number;
            };
        };
        ModelPrice: {
            id: string;
            name: string;
            /** @enum {string} */
            kind: "image" | "video";
            /** @enum {string} */
            unit: "image" | "video";
            /** @description Credits per output. */
            credits: number;
            options: components["schemas"]["ModelOptions"];
        };
        /** @description What a generation of this model may ask for in `params` besides its prompt. */
        ModelOptions: {
            aspectRatios: string[];
            resolutions?: string[];
            durationsSeconds?: number[];
            seed: boolean;
            maxReferenceImages: number;
            /** @description The most outputs one request may ask for, where the model (not only the plan) limits it: 1 for videos. */
            maxCount?: number;
        };
        /**
         * @description API Gateway's own answer (authorizer 401, throttling 429, function failure 500, timeout 503).
         * @example {
         *       "message": "Too Many Requests"
         *     }
         */
        GatewayMessage: {
            message: string;
        };
        OpenApiDocument: {
            openapi: string;
        } & {
            [key: string]: unknown;
        };
        /**
         * @example {
         *       "model": "nano-banana-2",
         *       "count": 2,
         *       "credits": 16,
         *       "affordable": true,
         *       "charges": [
         *         {
         *           "bucketId": "sub:2026-12-01",
         *           "bucketType": "subscription",
         *           "amount": 10
         *         },
         *         {
         *           "bucketId": "coupon",
         *           "bucketType": "coupon",
         *           "amount": 6
         *         }
         *       ],
         *       "memberCap": null
         *     }
         */
        Quote: {
            model: string;
            count: number;
            /** @description A number of credits. */
            credits: number;
            /** @description Whether the balance (and PAYG headroom) covers it now, within the caller's monthly cap. */
            affordable: boolean;
            /** @description Which buckets would pay, in drain order, if generated now (empty when not affordable). Advice: the generation allocates again when it is paid. */
            charges: components["schemas"]["Charge"][];
            /** @description The caller's monthly cap on this wallet; null when uncapped (the owner always). */
            memberCap: {
                /** @description A number of credits. */
                capCredits: number;
                /** @description Spent this billing period of the wallet. */
                spentCredits: number;
            } | null;
        };
        Charge: {
            bucketId: string;
            bucketType: components["schemas"]["BucketType"];
            /** @description A number of credits. */
            amount: number;
        };
        /** @enum {string} */
        BucketType: "subscription" | "coupon" | "topup" | "payg" | "debt";
        /**
         * @example {
         *       "accountId": "user_1",
         *       "available": 100,
         *       "buckets": [
         *         {
         *           "id": "coupon",
         *           "type": "coupon",
         *           "balance": 100,
         *           "expiresAt": null
         *         }
         *       ],
         *       "payg": {
         *         "enabled": false,
         *         "limit": 0,
         *         "used": 0
         *       }
         *     }
         */
        Balance: {
            accountId: string;
            /** @description Spendable now, PAYG headroom excluded. */
            available: number;
            /** @description In drain order. */
            buckets: components["schemas"]["Bucket"][];
            payg: {
                enabled: boolean;
                /** @description A number of credits. */
                limit: number;
                /** @description A number of credits. */
                used: number;
            };
        };
        Bucket: {
            id: string;
            type: components["schemas"]["BucketType"];
            balance: number;
            expiresAt: string | null;
        };
        LedgerPage: {
            entries: components["schemas"]["LedgerEntry"][];
            /** @description Pass it back as `?cursor=` for the next page; null on the last page. */
            nextCursor: string | null;
        };
        LedgerEntry: {
            id: string;
            /**
             * Format: date-time
             * @description An ISO 8601 instant (UTC).
             * @example 2026-12-05T18:00:00.000Z
             */
            at: string;
            type: components["schemas"]["LedgerEntryType"];
            /** @description Signed: positive adds credits to the bucket. */
            amount: number;
            bucketId: string;
            bucketType: components["schemas"]["BucketType"];
            balanceAfter: number;
            /** @description What caused it: job id, coupon code, payment id or grant period. */
            reference: string;
            /** @description On a generation's debit and refund: the member who asked for it. */
            userId?: string;
        };
        /** @enum {string} */
        LedgerEntryType: "grant" | "coupon" | "topup" | "debit" | "refund" | "expire" | "adjustment";
        /**
         * @example {
         *       "id": "gen_01jf0000000000000000000000",
         *       "status": "queued",
         *       "model": "nano-banana-2",
         *       "count": 1,
         *       "credits": 8,
         *       "charges": [
         *         {
         *           "bucketId": "coupon",
         *           "bucketType": "coupon",
         *           "amount": 8
         *         }
         *       ]
         *     }
         */
        GenerationAccepted: {
            id: string;
            /** @constant */
            status: "queued";
            model: string;
            count: number;
            /** @description A number of credits. */
            credits: number;
            charges: components["schemas"]["Charge"][];
        };
        GenerationPage: {
            generations: components["schemas"]["Generation"][];
            /** @description Pass it back as `?cursor=` for the next page; null on the last page. */
            nextCursor: string | null;
        };
        Generation: {
            id: string;
            /**
             * @description `cancelled`: stopped at the request of its owner (or an admin) before it produced anything, and refunded.
             * @enum {string}
             */
            status: "queued" | "running" | "succeeded" | "failed" | "cancelled";
            model: string;
            count: number;
            /** @description A number of credits. */
            credits: number;
            charges: components["schemas"]["Charge"][];
            prompt?: string;
            /**
             * Format: date-time
             * @description An ISO 8601 instant (UTC).
             * @example 2026-12-05T18:00:00.000Z
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description An ISO 8601 instant (UTC).
             * @example 2026-12-05T18:00:00.000Z
             */
            updatedAt: string;
            /** @description Once succeeded: the stored outputs, each with a short-lived link. */
            outputs?: components["schemas"]["GenerationOutput"][];
            error?: {
                /** @description `refused` (the provider refused the request: the message says why), `provider_unavailable`, `provider_error`, `timeout`, `worker_crashed`, `expired`, `cancelled`, `model_error` (the simulated model). */
                code: string;
                message: string;
            };
            /** @description Set once a failed or cancelled job's credits went back to the buckets that paid. */
            refund?: {
                /** @description A number of credits. */
                credits: number;
                /**
                 * Format: date-time
                 * @description An ISO 8601 instant (UTC).
                 * @example 2026-12-05T18:00:00.000Z
                 */
                at: string;
            };
        };
        GenerationOutput: {
            /**
             * @description `<generation id>/<index>`: names this output as a reference image of a later generation.
             * @example gen_01jf0000000000000000000000/0
             */
            id: string;
            /** @description A presigned GET of the stored output, valid until `expiresAt`; fetch the generation again for a fresh one. */
            url: string;
            /** @example image/png */
            contentType: string;
            sizeBytes: number;
            /**
             * Format: date-time
             * @description An ISO 8601 instant (UTC).
             * @example 2026-12-05T18:00:00.000Z
             */
            expiresAt: string;
        };
        /**
         * @example {
         *       "code": "WELCOME-ABCD-EFGH",
         *       "credits": 100,
         *       "available": 200
         *     }
         */
        CouponRedeemed: {
            code: string;
            /** @description A number of credits. */
            credits: number;
            /** @description A number of credits. */
            available: number;
        };
        CouponsCreated: {
            campaign: string;
            /** @description A number of credits. */
            credits: number;
            codes: string[];
        };
        TopupStarted: {
            id: string;
            /** @enum {string} */
            status: "pending" | "succeeded" | "failed" | "refunded" | "disputed";
            /** @description A number of credits. */
            credits: number;
            amount: components["schemas"]["Money"];
            /** @description For Stripe's Payment Element; null once nothing is left to confirm. */
            clientSecret: string | null;
        };
        Money: {
            /** @description Cents. */
            value: number;
            /** @constant */
            currency: "usd";
        };
        WebhookReceived: {
            /** @constant */
            received: true;
            /** @description What the event did (or why it was ignored). */
            result: string;
        };
        AutoRefill: {
            enabled: boolean;
            /** @description A number of credits. */
            thresholdCredits: number;
            /** @description A number of credits. */
            refillCredits: number;
            /** @description A number of credits. */
            monthlyCapCredits: number;
            disabledReason: string | null;
            refillInFlight: boolean;
            /** @description A number of credits. */
            creditsThisMonth: number;
            /** @description The saved card, for the owner only (null for members). */
            card: {
                brand: string;
                last4: string;
            } | null;
        };
        SubscriptionRequested: {
            /** @enum {string} */
            plan: "BEGINNER" | "PRO" | "TEAM";
            subscriptionId: string;
            status: string;
            clientSecret: string | null;
            /** @enum {string} */
            effective: "now" | "at_renewal" | "when_paid";
            message: string | null;
        };
        SubscriptionCanceled: {
            /** @constant */
            cancelAtPeriodEnd: true;
            /**
             * Format: date-time
             * @description An ISO 8601 instant (UTC).
             * @example 2026-12-05T18:00:00.000Z
             */
            endsAt: string;
        };
        PaygSetting: {
            enabled: boolean;
        };
        Billing: {
            accountId: string;
            plan: {
                id: components["schemas"]["PlanId"];
                /** @description A number of credits. */
                monthlyCredits: number;
                priceCents: number;
            };
            /** @enum {string} */
            status: "active" | "past_due" | "canceled";
            /**
             * Format: date-time
             * @description An ISO 8601 instant (UTC).
             * @example 2026-12-05T18:00:00.000Z
             */
            renewsAt: string;
            cancelAtPeriodEnd: boolean;
            balance: components["schemas"]["Balance"];
            /** @description Spent from payments later refunded or disputed; paid off by the next credits. */
            debtCredits: number;
            recentLedger: components["schemas"]["LedgerEntry"][];
            topups: components["schemas"]["BillingTopup"][];
            invoices: components["schemas"]["BillingInvoice"][];
            usageLimits: components["schemas"]["UsageLimits"][];
            autoRefill: components["schemas"]["AutoRefill"];
        };
        /** @enum {string} */
        PlanId: "FREE" | "BEGINNER" | "PRO" | "TEAM";
        BillingTopup: {
            id: string;
            /** @enum {string} */
            purpose: "topup" | "auto_refill";
            /** @description A number of credits. */
            credits: number;
            amount: components["schemas"]["Money"];
            /** @enum {string} */
            status: "pending" | "succeeded" | "failed" | "refunded" | "disputed";
            paymentId: string | null;
            /**
             * Format: date-time
             * @description An ISO 8601 instant (UTC).
             * @example 2026-12-05T18:00:00.000Z
             */
            createdAt: string;
        };
        BillingInvoice: {
            id: string;
            /** @enum {string} */
            kind: "payg" | "subscription";
            /** @description A number of credits. */
            credits: number;
            amount: components["schemas"]["Money"];
            /** @enum {string} */
            status: "pending" | "open" | "paid";
            paymentId: string | null;
            /**
             * Format: date-time
             * @description An ISO 8601 instant (UTC).
             * @example 2026-12-05T18:00:00.000Z
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description Subscription invoices only.
             * @example 2026-12-05T18:00:00.000Z
             */
            periodStart?: string;
            /**
             * Format: date-time
             * @description An ISO 8601 instant (UTC).
             * @example 2026-12-05T18:00:00.000Z
             */
            periodEnd?: string;
        };
        UsageLimits: {
            plan: components["schemas"]["PlanId"];
            /** @description A number of credits. */
            monthlyCredits: number;
            priceCents: number;
            maxConcurrentJobs: number;
            maxCountPerRequest: number;
            /** @description A number of credits. */
            paygLimitCredits: number;
            /** @description A number of credits. */
            minTopupCredits: number;
            /** @description A number of credits. */
            maxTopupCredits: number;
            seats: number;
        };
        Team: {
            accountId: string;
            plan: string;
            seats: {
                limit: number;
                /** @description The owner, the members and the pending invites. */
                used: number;
            };
            /** @description The owner first. A member sees only their own row. */
            members: components["schemas"]["TeamMember"][];
            /** @description Pending invites (owner and admins only). */
            invites: components["schemas"]["TeamInvite"][];
        };
        TeamMember: {
            userId: string;
            email: string | null;
            role: components["schemas"]["TeamRole"];
            /** @description Credits per billing period of the wallet; null = no cap. */
            monthlyCapCredits: number | null;
            /** @description A number of credits. */
            spentThisPeriodCredits: number;
            /**
             * Format: date-time
             * @description An ISO 8601 instant (UTC).
             * @example 2026-12-05T18:00:00.000Z
             */
            joinedAt: string;
        };
        /** @enum {string} */
        TeamRole: "owner" | "admin" | "member";
        TeamInvite: {
            id: string;
            email: string;
            role: components["schemas"]["InvitedRole"];
            /** @description Credits per billing period of the wallet; null = no cap. */
            monthlyCapCredits: number | null;
            /**
             * Format: date-time
             * @description An ISO 8601 instant (UTC).
             * @example 2026-12-05T18:00:00.000Z
             */
            expiresAt: string;
        };
        /** @enum {string} */
        InvitedRole: "admin" | "member";
        InviteCreated: {
            id: string;
            email: string;
            role: components["schemas"]["InvitedRole"];
            /** @description Credits per billing period of the wallet; null = no cap. */
            monthlyCapCredits: number | null;
            /**
             * Format: date-time
             * @description An ISO 8601 instant (UTC).
             * @example 2026-12-05T18:00:00.000Z
             */
            expiresAt: string;
            /**
             * @description Single use, valid 7 days; shown only now.
             * @example JOIN-7KQ2-M9XR-4TWB-HC3P
             */
            code: string;
        };
        TeamJoined: {
            accountId: string;
            role: components["schemas"]["InvitedRole"];
        };
        UsageReport: {
            rows: components["schemas"]["UsageRow"][];
            totals: {
                generations: number;
                /** @description A number of credits. */
                credits: number;
                /** @description A number of credits. */
                refundedCredits: number;
            };
        };
        UsageRow: {
            userId?: string;
            model?: string;
            day?: string;
            generations: number;
            /** @description A number of credits. */
            credits: number;
            /** @description A number of credits. */
            refundedCredits: number;
        };
        /**
         * @description The one error envelope of every 4xx and 5xx answer.
         * @example {
         *       "error": {
         *         "code": "insufficient_credits",
         *         "message": "Not enough credits: 40 needed, 12 available."
         *       }
         *     }
         */
        Error: {
            error: {
                /**
                 * @description Stable, snake_case; see each operation for the codes it can answer.
                 * @enum {string}
                 */
                code: "invalid_request" | "invalid_json" | "unknown_model" | "count_above_plan_limit" | "idempotency_key_required" | "invalid_coupon_code" | "unauthorized" | "insufficient_credits" | "member_cap_reached" | "forbidden" | "not_a_member" | "member_suspended" | "not_found" | "route_not_found" | "generation_not_found" | "coupon_not_found" | "invite_not_found" | "member_not_found" | "method_not_allowed" | "coupon_already_redeemed" | "write_conflict" | "payment_method_required" | "no_subscription" | "seat_limit_reached" | "too_many_members" | "already_invited" | "already_in_team" | "generation_finished" | "coupon_expired" | "coupon_exhausted" | "invite_expired" | "payload_too_large" | "unsupported_media_type" | "idempotency_key_reused" | "concurrency_limit" | "too_many_attempts" | "internal_error" | "invalid_signature" | "payment_provider_error" | "payments_not_configured" | "event_not_ready";
                /** @description In words, for a person; may change. */
                message: string;
                details?: {
                    [key: string]: unknown;
                };
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getPricing: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The price list */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Pricing"];
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI 3.1 document of this API */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenApiDocument"];
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    createQuote: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    model: string;
                    count: number;
                };
            };
        };
        responses: {
            /** @description The quote */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Quote"];
                };
            };
            /** @description Error: `count_above_plan_limit`, `invalid_json`, `invalid_request`, `unknown_model` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "count_above_plan_limit" | "invalid_json" | "invalid_request" | "unknown_model";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unsupported_media_type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unsupported_media_type";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    getBalance: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The balance */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Balance"];
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    listLedger: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of ledger entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LedgerPage"];
                };
            };
            /** @description Error: `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    listGenerations: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of generations */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GenerationPage"];
                };
            };
            /** @description Error: `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    createGeneration: {
        parameters: {
            query?: never;
            header: {
                /** @description Required. A key of your choice (e.g. a UUID): a retry with the same key and body answers the first answer, never charges twice. */
                "Idempotency-Key": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    model: string;
                    count: number;
                    params: components["schemas"]["GenerationParams"];
                };
            };
        };
        responses: {
            /** @description Paid and queued, with what was charged where */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GenerationAccepted"];
                };
            };
            /** @description Error: `count_above_plan_limit`, `idempotency_key_required`, `invalid_json`, `invalid_request`, `unknown_model` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "count_above_plan_limit" | "idempotency_key_required" | "invalid_json" | "invalid_request" | "unknown_model";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `insufficient_credits`, `member_cap_reached` */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "insufficient_credits" | "member_cap_reached";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unsupported_media_type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unsupported_media_type";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `idempotency_key_reused` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "idempotency_key_reused";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `concurrency_limit`; or API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "concurrency_limit";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    getGeneration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The generation id (`gen_` + 26 characters); another account's is 404. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The generation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Generation"];
                };
            };
            /** @description Error: `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `generation_not_found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "generation_not_found";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    cancelGeneration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The generation id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The cancelled generation, with its refund */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Generation"];
                };
            };
            /** @description Error: `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `forbidden`, `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `generation_not_found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "generation_not_found";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `generation_finished`, `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "generation_finished" | "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    redeemCoupon: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description Redeemed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CouponRedeemed"];
                };
            };
            /** @description Error: `invalid_coupon_code`, `invalid_json`, `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_coupon_code" | "invalid_json" | "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `coupon_not_found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "coupon_not_found";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `coupon_already_redeemed`, `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "coupon_already_redeemed" | "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `coupon_exhausted`, `coupon_expired` */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "coupon_exhausted" | "coupon_expired";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unsupported_media_type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unsupported_media_type";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `too_many_attempts`; or API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again (too_many_attempts). */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "too_many_attempts";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    createCoupons: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    campaign: string;
                    credits: number;
                    count: number;
                    /** @default 1 */
                    maxRedemptions?: number;
                    /** @default null */
                    redeemBy?: string | null;
                };
            };
        };
        responses: {
            /** @description The codes issued */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CouponsCreated"];
                };
            };
            /** @description Error: `invalid_json`, `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_json" | "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `forbidden` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unsupported_media_type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unsupported_media_type";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    createTopup: {
        parameters: {
            query?: never;
            header: {
                /** @description Required. A key of your choice (e.g. a UUID): a retry with the same key and body answers the first answer, never charges twice. */
                "Idempotency-Key": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    credits: number;
                };
            };
        };
        responses: {
            /** @description The pending top-up and the client secret to pay it */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TopupStarted"];
                };
            };
            /** @description Error: `idempotency_key_required`, `invalid_json`, `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "idempotency_key_required" | "invalid_json" | "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `forbidden`, `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unsupported_media_type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unsupported_media_type";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `idempotency_key_reused` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "idempotency_key_reused";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `payment_provider_error` */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payment_provider_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payments_not_configured`; or API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payments_not_configured";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    stripeWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description Stripe's signature of the raw body. */
                "Stripe-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StripeEvent"];
            };
        };
        responses: {
            /** @description Received (applied, already applied, or ignored) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookReceived"];
                };
            };
            /** @description Error: `invalid_signature` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_signature";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `payment_provider_error` */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payment_provider_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `event_not_ready`, `payments_not_configured`; or API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "event_not_ready" | "payments_not_configured";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    getAutoRefill: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The settings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AutoRefill"];
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `payment_provider_error` */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payment_provider_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payments_not_configured`; or API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payments_not_configured";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    putAutoRefill: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    enabled: boolean;
                    thresholdCredits: number;
                    refillCredits: number;
                    monthlyCapCredits: number;
                };
            };
        };
        responses: {
            /** @description The settings as saved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AutoRefill"];
                };
            };
            /** @description Error: `invalid_json`, `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_json" | "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `forbidden`, `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payment_method_required`, `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payment_method_required" | "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unsupported_media_type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unsupported_media_type";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `payment_provider_error` */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payment_provider_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payments_not_configured`; or API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payments_not_configured";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    changeSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    plan: "BEGINNER" | "PRO" | "TEAM";
                };
            };
        };
        responses: {
            /** @description What was asked of Stripe and when it takes effect */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionRequested"];
                };
            };
            /** @description Error: `invalid_json`, `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_json" | "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `forbidden`, `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `too_many_members`, `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "too_many_members" | "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unsupported_media_type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unsupported_media_type";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `payment_provider_error` */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payment_provider_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payments_not_configured`; or API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payments_not_configured";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    cancelSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Canceled at period end */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionCanceled"];
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `forbidden`, `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `no_subscription`, `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "no_subscription" | "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `payment_provider_error` */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payment_provider_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payments_not_configured`; or API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payments_not_configured";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    putPayg: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    enabled: boolean;
                };
            };
        };
        responses: {
            /** @description The setting as saved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PaygSetting"];
                };
            };
            /** @description Error: `invalid_json`, `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_json" | "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `forbidden`, `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payment_method_required`, `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payment_method_required" | "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unsupported_media_type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unsupported_media_type";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `payment_provider_error` */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payment_provider_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payments_not_configured`; or API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payments_not_configured";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    getBilling: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The billing page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Billing"];
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `forbidden`, `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    getTeam: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The team */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Team"];
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    createTeamInvite: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: email */
                    email: string;
                    /** @enum {string} */
                    role: "admin" | "member";
                    /** @description Credits the member may spend per billing period of the wallet; null = no cap. */
                    monthlyCapCredits?: number | null;
                };
            };
        };
        responses: {
            /** @description The invite, with its code (shown once) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InviteCreated"];
                };
            };
            /** @description Error: `invalid_json`, `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_json" | "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `forbidden`, `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `already_invited`, `seat_limit_reached`, `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "already_invited" | "seat_limit_reached" | "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unsupported_media_type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unsupported_media_type";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    revokeTeamInvite: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The invite id (`inv_` + 26 characters). */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Error: `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `forbidden`, `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `invite_not_found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invite_not_found";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    joinTeam: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @example JOIN-7KQ2-M9XR-4TWB-HC3P */
                    code: string;
                };
            };
        };
        responses: {
            /** @description Joined */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TeamJoined"];
                };
            };
            /** @description Error: `invalid_json`, `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_json" | "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `invite_not_found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invite_not_found";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `already_in_team`, `seat_limit_reached`, `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "already_in_team" | "seat_limit_reached" | "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `invite_expired` */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invite_expired";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unsupported_media_type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unsupported_media_type";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    removeTeamMember: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The member's user id (your own to leave). */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed: their next request is refused */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Error: `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `forbidden`, `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `member_not_found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "member_not_found";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    changeTeamMember: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The member's user id. */
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    role?: "admin" | "member";
                    /** @description Credits the member may spend per billing period of the wallet; null = no cap. */
                    monthlyCapCredits?: number | null;
                };
            };
        };
        responses: {
            /** @description The member as changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TeamMember"];
                };
            };
            /** @description Error: `invalid_json`, `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_json" | "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `forbidden`, `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `member_not_found` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "member_not_found";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `write_conflict` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "write_conflict";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unsupported_media_type` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unsupported_media_type";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    getUsage: {
        parameters: {
            query: {
                from: string;
                to: string;
                /** @description Comma-separated: member, model, day. Omitted: one row of totals. */
                groupBy?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The usage */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsageReport"];
                };
            };
            /** @description Error: `invalid_request` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_request";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `unauthorized`; or API Gateway's own `{"message":"Unauthorized"}` */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `member_suspended`, `not_a_member` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "member_suspended" | "not_a_member";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description Error: `payload_too_large` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
            /** @description API Gateway's own `{"message":"Too Many Requests"}` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Error: `internal_error`; or API Gateway's own `{"message":"Internal Server Error"}` */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            message: string;
                            details?: {
                                [key: string]: unknown;
                            };
                        };
                    } | components["schemas"]["GatewayMessage"];
                };
            };
            /** @description API Gateway's own `{"message":"Service Unavailable"}` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
}
