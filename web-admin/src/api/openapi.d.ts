// Generated from the control plane's OpenAPI document by web-admin/scripts/api-types.mjs: do not edit.
// Regenerate with `node web-admin/scripts/api-types.mjs` after changing an admin API route schema.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok";
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/anomalies/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read the anomaly-detection config */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            actions?: {
                                [key: string]: unknown;
                            };
                            allow?: {
                                cidrs?: string[];
                                consumers?: string[];
                            } & {
                                [key: string]: unknown;
                            };
                            enabled?: boolean;
                            /** @enum {string} */
                            mode?: "detect" | "enforce";
                            thresholds?: {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        /** Replace the anomaly-detection config (published with the next version) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        actions?: Record<string, never>;
                        allow?: {
                            cidrs?: string[];
                            consumers?: string[];
                        };
                        enabled?: boolean;
                        /** @enum {string} */
                        mode?: "detect" | "enforce";
                        thresholds?: Record<string, never>;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            actions?: {
                                [key: string]: unknown;
                            };
                            allow?: {
                                cidrs?: string[];
                                consumers?: string[];
                            } & {
                                [key: string]: unknown;
                            };
                            enabled?: boolean;
                            /** @enum {string} */
                            mode?: "detect" | "enforce";
                            thresholds?: {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    actor?: string;
                    before_id?: string;
                    kind?: string;
                    limit?: string;
                    resource?: string;
                    since?: string;
                    until?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                actor: {
                                    fingerprint?: string;
                                    id: string;
                                    label: string;
                                    role?: string | null;
                                } & {
                                    [key: string]: unknown;
                                };
                                /** @description the answer (secrets redacted), or null */
                                after?: unknown;
                                /** Format: date-time */
                                at: string;
                                /** @description the resource before (secrets redacted), or null */
                                before?: unknown;
                                id: number;
                                kind: string;
                                method: string;
                                path: string;
                                resource_id?: string | null;
                                resource_name?: string | null;
                                /** @enum {string} */
                                source?: "api" | "ui";
                                status: number;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description the before_id of the next page, or null at the end */
                            next_before_id: number | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/oidc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            enabled: boolean;
                            issuer?: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/oidc/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description to the web admin: /#oidc=<code> or /#oidc_error=<message> */
                302: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/oidc/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description to the identity provider */
                302: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/oidc/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
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
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            expires_at: string;
                            role: string;
                            token: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/certificates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description the cursor: items after this one (see next) */
                    after?: string;
                    /** @description at most this many items (1-1000); absent: all */
                    limit?: string;
                    /** @description names containing this text */
                    name?: string;
                    /** @description certificates serving this SNI name */
                    sni?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                cert_pem: string;
                                /** Format: date-time */
                                created_at: string;
                                fingerprint_sha256?: string;
                                id: string;
                                issuer?: string;
                                /** @description always [redacted]: send the key again on PUT */
                                key_pem: string;
                                name: string;
                                /** Format: date-time */
                                not_after?: string;
                                /** Format: date-time */
                                not_before?: string;
                                snis: string[];
                                subject?: string;
                                /** Format: date-time */
                                updated_at: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description URL of the next page (same query, `after` set), or null at the end */
                            next: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description PEM chain: the leaf first, then intermediates */
                        cert_pem: string;
                        /** @description PEM private key of the leaf, unencrypted (never returned) */
                        key_pem: string;
                        /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                        name: string;
                        /** @description lower-case DNS names or one-label wildcards (*.example.com) this certificate answers */
                        snis: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            cert_pem: string;
                            /** Format: date-time */
                            created_at: string;
                            fingerprint_sha256?: string;
                            id: string;
                            issuer?: string;
                            /** @description always [redacted]: send the key again on PUT */
                            key_pem: string;
                            name: string;
                            /** Format: date-time */
                            not_after?: string;
                            /** Format: date-time */
                            not_before?: string;
                            snis: string[];
                            subject?: string;
                            /** Format: date-time */
                            updated_at: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/certificates/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            cert_pem: string;
                            /** Format: date-time */
                            created_at: string;
                            fingerprint_sha256?: string;
                            id: string;
                            issuer?: string;
                            /** @description always [redacted]: send the key again on PUT */
                            key_pem: string;
                            name: string;
                            /** Format: date-time */
                            not_after?: string;
                            /** Format: date-time */
                            not_before?: string;
                            snis: string[];
                            subject?: string;
                            /** Format: date-time */
                            updated_at: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description PEM chain: the leaf first, then intermediates */
                        cert_pem: string;
                        /** @description PEM private key of the leaf, unencrypted (never returned) */
                        key_pem: string;
                        /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                        name: string;
                        /** @description lower-case DNS names or one-label wildcards (*.example.com) this certificate answers */
                        snis: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            cert_pem: string;
                            /** Format: date-time */
                            created_at: string;
                            fingerprint_sha256?: string;
                            id: string;
                            issuer?: string;
                            /** @description always [redacted]: send the key again on PUT */
                            key_pem: string;
                            name: string;
                            /** Format: date-time */
                            not_after?: string;
                            /** Format: date-time */
                            not_before?: string;
                            snis: string[];
                            subject?: string;
                            /** Format: date-time */
                            updated_at: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description no body */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/config/draft": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description the draft differs from the latest version */
                            changed: boolean;
                            hash: string;
                            latest_hash: string | null;
                            latest_version: number | null;
                            /** @description the snapshot as protobuf JSON, secrets redacted */
                            snapshot: {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/config/dump": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description the draft as one declarative document (gitops/document.ts) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            anomaly?: {
                                [key: string]: unknown;
                            };
                            certificates?: ({
                                name: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            consumers?: ({
                                name: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            policies?: ({
                                name: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            routes?: ({
                                name: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            "rule-sets"?: ({
                                name: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            settings?: {
                                [key: string]: unknown;
                            };
                            telemetry?: {
                                [key: string]: unknown;
                            };
                            upstreams?: ({
                                name: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/config/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description the configuration: {rule-sets, upstreams, certificates, policies, consumers, routes, settings, telemetry, anomaly}, as GET /v1/config/dump answers it */
                        document: Record<string, never>;
                        /** @description check everything and answer the plan; write nothing */
                        dry_run?: boolean;
                        /** @description allow taking an authentication or WAF policy off a route */
                        force?: boolean;
                        /** @description delete what the document leaves out (default false: create and update only) */
                        prune?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description the draft was written */
                            changed: boolean;
                            changes: ({
                                /** @enum {string} */
                                action: "create" | "update" | "delete" | "unchanged";
                                after?: {
                                    [key: string]: unknown;
                                };
                                before?: {
                                    [key: string]: unknown;
                                };
                                /** @enum {string} */
                                kind: "rule-sets" | "upstreams" | "certificates" | "policies" | "consumers" | "routes" | "settings" | "telemetry" | "anomaly";
                                name: string;
                                /** @description top-level fields the update removes */
                                removed?: string[];
                            } & {
                                [key: string]: unknown;
                            })[];
                            counts: {
                                create: number;
                                delete: number;
                                unchanged: number;
                                update: number;
                            } & {
                                [key: string]: unknown;
                            };
                            dry_run: boolean;
                            removals: ({
                                policy: string;
                                resource: string;
                                type: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/config/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description versions older than this one */
                    after?: string;
                    limit?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                /** Format: date-time */
                                created_at: string;
                                /** @description sha256 hex of the snapshot */
                                hash: string;
                                message: string;
                                version: number;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description URL of the next page, or null at the end */
                            next: string | null;
                            /** @description the version every node outside a rollout runs */
                            stable_version: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description all (default): every node now; none: for a rollout
                         * @enum {string}
                         */
                        deploy?: "all" | "none";
                        message?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description false: nothing changed since the latest version (200) */
                            created: boolean;
                            /** Format: date-time */
                            created_at?: string;
                            /** @enum {string} */
                            deploy: "all" | "none";
                            /** @description sha256 hex of the snapshot */
                            hash: string;
                            message?: string;
                            stable_version: number;
                            version: number;
                            /** @description routes that outrank a protected route without its protecting policies (at most 100) */
                            warnings: ({
                                /** @enum {string} */
                                code: "ROUTE_SHADOWS_PROTECTION";
                                /** @description a request both routes match that goes to `route` */
                                example: string;
                                message: string;
                                /** @description policy types */
                                missing: string[];
                                /** @description policy names */
                                missing_policies: string[];
                                route: string;
                                shadowed_route: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description false: the analysis stopped at its limits */
                            warnings_complete: boolean;
                            warnings_total: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description false: nothing changed since the latest version (200) */
                            created: boolean;
                            /** Format: date-time */
                            created_at?: string;
                            /** @enum {string} */
                            deploy: "all" | "none";
                            /** @description sha256 hex of the snapshot */
                            hash: string;
                            message?: string;
                            stable_version: number;
                            version: number;
                            /** @description routes that outrank a protected route without its protecting policies (at most 100) */
                            warnings: ({
                                /** @enum {string} */
                                code: "ROUTE_SHADOWS_PROTECTION";
                                /** @description a request both routes match that goes to `route` */
                                example: string;
                                message: string;
                                /** @description policy types */
                                missing: string[];
                                /** @description policy names */
                                missing_policies: string[];
                                route: string;
                                shadowed_route: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description false: the analysis stopped at its limits */
                            warnings_complete: boolean;
                            warnings_total: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/config/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description a version number */
                    version: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at: string;
                            /** @description sha256 hex of the snapshot */
                            hash: string;
                            message: string;
                            /** @description the snapshot as protobuf JSON, secrets redacted */
                            snapshot: {
                                [key: string]: unknown;
                            };
                            version: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/config/versions/{version}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description a version number */
                    version: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description the snapshot file (proto/src/snapshot-file.ts) palisade-dp --config-file runs from */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/octet-stream": string;
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consumers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description the cursor: items after this one (see next) */
                    after?: string;
                    /** @description disabled consumers, or enabled ones */
                    disabled?: "true" | "false";
                    /** @description at most this many items (1-1000); absent: all */
                    limit?: string;
                    /** @description names containing this text */
                    name?: string;
                    /** @description consumers with this tag */
                    tag?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                /** Format: date-time */
                                created_at: string;
                                /** @description a disabled consumer's credentials are refused */
                                disabled?: boolean;
                                id: string;
                                labels?: {
                                    [key: string]: string;
                                };
                                /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                                name: string;
                                /** @description free-form tags for operators (Kong-style); not sent to nodes */
                                tags?: string[];
                                /** Format: date-time */
                                updated_at: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description URL of the next page (same query, `after` set), or null at the end */
                            next: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description a disabled consumer's credentials are refused */
                        disabled?: boolean;
                        labels?: {
                            [key: string]: string;
                        };
                        /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                        name: string;
                        /** @description free-form tags for operators (Kong-style); not sent to nodes */
                        tags?: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at: string;
                            /** @description a disabled consumer's credentials are refused */
                            disabled?: boolean;
                            id: string;
                            labels?: {
                                [key: string]: string;
                            };
                            /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                            name: string;
                            /** @description free-form tags for operators (Kong-style); not sent to nodes */
                            tags?: string[];
                            /** Format: date-time */
                            updated_at: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consumers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at: string;
                            /** @description a disabled consumer's credentials are refused */
                            disabled?: boolean;
                            id: string;
                            labels?: {
                                [key: string]: string;
                            };
                            /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                            name: string;
                            /** @description free-form tags for operators (Kong-style); not sent to nodes */
                            tags?: string[];
                            /** Format: date-time */
                            updated_at: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description a disabled consumer's credentials are refused */
                        disabled?: boolean;
                        labels?: {
                            [key: string]: string;
                        };
                        /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                        name: string;
                        /** @description free-form tags for operators (Kong-style); not sent to nodes */
                        tags?: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at: string;
                            /** @description a disabled consumer's credentials are refused */
                            disabled?: boolean;
                            id: string;
                            labels?: {
                                [key: string]: string;
                            };
                            /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                            name: string;
                            /** @description free-form tags for operators (Kong-style); not sent to nodes */
                            tags?: string[];
                            /** Format: date-time */
                            updated_at: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description no body */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consumers/{id}/credentials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description the cursor: items after this one (see next) */
                    after?: string;
                    /** @description at most this many items (1-1000); absent: all */
                    limit?: string;
                    type?: "api-key" | "jwt" | "client-cert";
                };
                header?: never;
                path: {
                    credentialId: string;
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                consumer_id: string;
                                /** Format: date-time */
                                created_at: string;
                                id: string;
                                /** @description api-key: the key's first characters */
                                key_prefix?: string;
                                /** @enum {string} */
                                type: "api-key" | "jwt" | "client-cert";
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description URL of the next page (same query, `after` set), or null at the end */
                            next: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    credentialId: string;
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        type: "api-key" | "jwt" | "client-cert";
                    } & (unknown & unknown & unknown);
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            consumer_id: string;
                            /** Format: date-time */
                            created_at: string;
                            id: string;
                            /** @description api-key: shown once */
                            key?: string;
                            /** @description api-key: the key's first characters */
                            key_prefix?: string;
                            /** @enum {string} */
                            type: "api-key" | "jwt" | "client-cert";
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/consumers/{id}/credentials/{credentialId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    credentialId: string;
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            consumer_id: string;
                            /** Format: date-time */
                            created_at: string;
                            id: string;
                            /** @description api-key: the key's first characters */
                            key_prefix?: string;
                            /** @enum {string} */
                            type: "api-key" | "jwt" | "client-cert";
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    credentialId: string;
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description no body */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/fleet/ca": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            certificate_pem: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/info": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description `METHOD /v1/path` of every endpoint this control plane serves */
                            endpoints: string[];
                            /** @enum {string} */
                            name: "palisade-cp";
                            policy_types: string[];
                            version: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/nodes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description the cursor: items after this one (see next) */
                    after?: string;
                    /** @description key=value: nodes with this label */
                    label?: string;
                    /** @description at most this many items (1-1000); absent: all */
                    limit?: string;
                    /** @description nodes of this region */
                    region?: string;
                    status?: "connected" | "stale" | "disconnected" | "revoked";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                applied_hash?: string;
                                applied_version: number;
                                /** @description the latest version the node is not sent: its build lacks features */
                                blocked?: ({
                                    missing?: string[];
                                    version?: number;
                                } & {
                                    [key: string]: unknown;
                                }) | null;
                                certificate?: ({
                                    not_after?: string | null;
                                    serial?: string;
                                } & {
                                    [key: string]: unknown;
                                }) | null;
                                connected?: boolean;
                                /** @description the version the node should hold (stable, or its rollout's) */
                                desired_version?: number;
                                features?: string[];
                                first_seen_at?: string;
                                id: string;
                                in_sync: boolean;
                                labels?: {
                                    [key: string]: string;
                                };
                                /** @description versions behind the latest */
                                lag: number;
                                last_ack_at?: string | null;
                                /** @description the last version the node refused */
                                last_nack?: ({
                                    at?: string;
                                    code?: string;
                                    kind?: string;
                                    message?: string;
                                    resource?: string;
                                    version?: number;
                                } & {
                                    [key: string]: unknown;
                                }) | null;
                                last_seen_at?: string | null;
                                latest_version: number;
                                policy_types?: string[];
                                region: string;
                                /** @description the node's latest report (counters, pools, WAF figures) */
                                report?: {
                                    [key: string]: unknown;
                                } | null;
                                report_interval_ms?: number;
                                revoked_at?: string | null;
                                software_version?: string;
                                /** @enum {string} */
                                status: "connected" | "stale" | "disconnected" | "revoked";
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description URL of the next page (same query, `after` set), or null at the end */
                            next: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/nodes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            applied_hash?: string;
                            applied_version?: number;
                            /** @description the latest version the node is not sent: its build lacks features */
                            blocked?: ({
                                missing?: string[];
                                version?: number;
                            } & {
                                [key: string]: unknown;
                            }) | null;
                            certificate?: ({
                                not_after?: string | null;
                                serial?: string;
                            } & {
                                [key: string]: unknown;
                            }) | null;
                            connected?: boolean;
                            /** @description the version the node should hold (stable, or its rollout's) */
                            desired_version?: number;
                            features?: string[];
                            first_seen_at?: string;
                            history: {
                                [key: string]: unknown;
                            }[];
                            id: string;
                            in_sync?: boolean;
                            labels?: {
                                [key: string]: string;
                            };
                            /** @description versions behind the latest */
                            lag?: number;
                            last_ack_at?: string | null;
                            /** @description the last version the node refused */
                            last_nack?: ({
                                at?: string;
                                code?: string;
                                kind?: string;
                                message?: string;
                                resource?: string;
                                version?: number;
                            } & {
                                [key: string]: unknown;
                            }) | null;
                            last_seen_at?: string | null;
                            latest_version?: number;
                            policy_types?: string[];
                            region: string;
                            /** @description the node's latest report (counters, pools, WAF figures) */
                            report?: {
                                [key: string]: unknown;
                            } | null;
                            report_interval_ms?: number;
                            revoked_at?: string | null;
                            software_version?: string;
                            /** @enum {string} */
                            status: "connected" | "stale" | "disconnected" | "revoked";
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description no body */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/nodes/{id}/resync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            applied_hash?: string;
                            applied_version?: number;
                            /** @description the latest version the node is not sent: its build lacks features */
                            blocked?: ({
                                missing?: string[];
                                version?: number;
                            } & {
                                [key: string]: unknown;
                            }) | null;
                            certificate?: ({
                                not_after?: string | null;
                                serial?: string;
                            } & {
                                [key: string]: unknown;
                            }) | null;
                            connected?: boolean;
                            /** @description the version the node should hold (stable, or its rollout's) */
                            desired_version?: number;
                            features?: string[];
                            first_seen_at?: string;
                            id?: string;
                            in_sync?: boolean;
                            labels?: {
                                [key: string]: string;
                            };
                            /** @description versions behind the latest */
                            lag?: number;
                            last_ack_at?: string | null;
                            /** @description the last version the node refused */
                            last_nack?: ({
                                at?: string;
                                code?: string;
                                kind?: string;
                                message?: string;
                                resource?: string;
                                version?: number;
                            } & {
                                [key: string]: unknown;
                            }) | null;
                            last_seen_at?: string | null;
                            latest_version?: number;
                            policy_types?: string[];
                            region?: string;
                            /** @description the node's latest report (counters, pools, WAF figures) */
                            report?: {
                                [key: string]: unknown;
                            } | null;
                            report_interval_ms?: number;
                            resync?: {
                                /** @description the NACK the resync forgot */
                                forgotten_nack?: {
                                    [key: string]: unknown;
                                } | null;
                                version: number;
                            } & {
                                [key: string]: unknown;
                            };
                            revoked_at?: string | null;
                            software_version?: string;
                            /** @enum {string} */
                            status?: "connected" | "stale" | "disconnected" | "revoked";
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/nodes/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            applied_hash?: string;
                            applied_version: number;
                            /** @description the latest version the node is not sent: its build lacks features */
                            blocked?: ({
                                missing?: string[];
                                version?: number;
                            } & {
                                [key: string]: unknown;
                            }) | null;
                            certificate?: ({
                                not_after?: string | null;
                                serial?: string;
                            } & {
                                [key: string]: unknown;
                            }) | null;
                            connected?: boolean;
                            /** @description the version the node should hold (stable, or its rollout's) */
                            desired_version?: number;
                            features?: string[];
                            first_seen_at?: string;
                            id: string;
                            in_sync: boolean;
                            labels?: {
                                [key: string]: string;
                            };
                            /** @description versions behind the latest */
                            lag: number;
                            last_ack_at?: string | null;
                            /** @description the last version the node refused */
                            last_nack?: ({
                                at?: string;
                                code?: string;
                                kind?: string;
                                message?: string;
                                resource?: string;
                                version?: number;
                            } & {
                                [key: string]: unknown;
                            }) | null;
                            last_seen_at?: string | null;
                            latest_version: number;
                            policy_types?: string[];
                            region: string;
                            /** @description the node's latest report (counters, pools, WAF figures) */
                            report?: {
                                [key: string]: unknown;
                            } | null;
                            report_interval_ms?: number;
                            revoked_at?: string | null;
                            software_version?: string;
                            /** @enum {string} */
                            status: "connected" | "stale" | "disconnected" | "revoked";
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/nodes/join-tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description the cursor: items after this one (see next) */
                    after?: string;
                    /** @description at most this many items (1-1000); absent: all */
                    limit?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                /** Format: date-time */
                                created_at?: string;
                                /** Format: date-time */
                                expires_at: string;
                                id: string;
                                node_id?: string | null;
                                region: string;
                                used_at?: string | null;
                                used_by?: string | null;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description URL of the next page (same query, `after` set), or null at the end */
                            next: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        node_id?: string;
                        region: string;
                        /** @description validity in seconds, default 3600 */
                        ttl_s?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description the token is shown in this answer only */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            ca_certificate_pem: string;
                            /** Format: date-time */
                            created_at?: string;
                            /** Format: date-time */
                            expires_at: string;
                            id: string;
                            node_id?: string | null;
                            region: string;
                            token: string;
                            used_at?: string | null;
                            used_by?: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description the cursor: items after this one (see next) */
                    after?: string;
                    /** @description at most this many items (1-1000); absent: all */
                    limit?: string;
                    /** @description names containing this text */
                    name?: string;
                    /** @description policies of this type */
                    type?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                config: {
                                    [key: string]: unknown;
                                };
                                /** Format: date-time */
                                created_at: string;
                                id: string;
                                /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                                name: string;
                                /** @enum {string} */
                                type: "jwt" | "api-key" | "mtls" | "introspection" | "auth-any" | "ip-restriction" | "rate-limit" | "request-size" | "cors" | "headers" | "canary" | "mirror" | "waf";
                                /** Format: date-time */
                                updated_at: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description URL of the next page (same query, `after` set), or null at the end */
                            next: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        config: Record<string, never>;
                        /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                        name: string;
                        /** @enum {string} */
                        type: "jwt" | "api-key" | "mtls" | "introspection" | "auth-any" | "ip-restriction" | "rate-limit" | "request-size" | "cors" | "headers" | "canary" | "mirror" | "waf";
                    } & (unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown);
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            config: {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            created_at: string;
                            id: string;
                            /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                            name: string;
                            /** @enum {string} */
                            type: "jwt" | "api-key" | "mtls" | "introspection" | "auth-any" | "ip-restriction" | "rate-limit" | "request-size" | "cors" | "headers" | "canary" | "mirror" | "waf";
                            /** Format: date-time */
                            updated_at: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policies/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            config: {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            created_at: string;
                            id: string;
                            /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                            name: string;
                            /** @enum {string} */
                            type: "jwt" | "api-key" | "mtls" | "introspection" | "auth-any" | "ip-restriction" | "rate-limit" | "request-size" | "cors" | "headers" | "canary" | "mirror" | "waf";
                            /** Format: date-time */
                            updated_at: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        config: Record<string, never>;
                        /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                        name: string;
                        /** @enum {string} */
                        type: "jwt" | "api-key" | "mtls" | "introspection" | "auth-any" | "ip-restriction" | "rate-limit" | "request-size" | "cors" | "headers" | "canary" | "mirror" | "waf";
                    } & (unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown);
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            config: {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            created_at: string;
                            id: string;
                            /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                            name: string;
                            /** @enum {string} */
                            type: "jwt" | "api-key" | "mtls" | "introspection" | "auth-any" | "ip-restriction" | "rate-limit" | "request-size" | "cors" | "headers" | "canary" | "mirror" | "waf";
                            /** Format: date-time */
                            updated_at: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description no body */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/regions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                /** @description node count by applied version */
                                applied_versions: {
                                    [key: string]: number;
                                };
                                /** @description the latest figures of the region's history */
                                current?: {
                                    [key: string]: unknown;
                                } | null;
                                history: {
                                    [key: string]: unknown;
                                }[];
                                in_sync: number;
                                nodes: {
                                    connected?: number;
                                    disconnected?: number;
                                    revoked?: number;
                                    stale?: number;
                                    total?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                region: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description the cursor: items after this one (see next) */
                    after?: string;
                    /** @description at most this many items (1-1000); absent: all */
                    limit?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                builtin: boolean;
                                /** Format: date-time */
                                created_at?: string;
                                description?: string;
                                name: string;
                                permissions: string[];
                                /** Format: date-time */
                                updated_at?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description URL of the next page (same query, `after` set), or null at the end */
                            next: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/roles/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            builtin: boolean;
                            /** Format: date-time */
                            created_at?: string;
                            description?: string;
                            name: string;
                            permissions: string[];
                            /** Format: date-time */
                            updated_at?: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string;
                        name: string;
                        permissions: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            builtin: boolean;
                            /** Format: date-time */
                            created_at?: string;
                            description?: string;
                            name: string;
                            permissions: string[];
                            /** Format: date-time */
                            updated_at?: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description no body */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    before_seq?: string;
                    limit?: string;
                    state?: "running" | "paused" | "succeeded" | "rolled_back" | "aborted" | "failed";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                /** Format: date-time */
                                created_at?: string;
                                created_by?: string;
                                current_stage?: number | null;
                                ended_at?: string | null;
                                events?: ({
                                    at?: string;
                                    message?: string;
                                    stage?: string | null;
                                    type?: string;
                                    who?: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                id: string;
                                on_failure?: string;
                                pause_reason?: string | null;
                                previous_version: number;
                                rollback_completed_at?: string | null;
                                seq: number;
                                stages: ({
                                    acked_at?: string | null;
                                    deadline_at?: string | null;
                                    ends_at?: string | null;
                                    finished_at?: string | null;
                                    gates: ({
                                        baseline?: number | null;
                                        requests?: number;
                                        value?: number | null;
                                        verdict?: string;
                                    } & {
                                        [key: string]: unknown;
                                    })[];
                                    inconclusive_wait_s?: unknown;
                                    name: string;
                                    nodes: ({
                                        applied_version?: number | null;
                                        assigned_version?: number | null;
                                        id?: string;
                                        previous_version?: number | null;
                                        region?: string | null;
                                        /** @enum {string} */
                                        state?: "pending" | "acked" | "nacked" | "rolled_back";
                                    } & {
                                        [key: string]: unknown;
                                    })[];
                                    progress_deadline_s?: unknown;
                                    selector?: {
                                        [key: string]: unknown;
                                    };
                                    soak_s?: unknown;
                                    started_at?: string | null;
                                    state: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                /** @enum {string} */
                                state: "running" | "paused" | "succeeded" | "rolled_back" | "aborted" | "failed";
                                strategy?: string;
                                touched_nodes?: ({
                                    id: string;
                                    previous_version?: number;
                                    stage?: number;
                                    touched_at?: string;
                                    version: number;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                /** Format: date-time */
                                updated_at?: string;
                                version: number;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description the before_seq of the next page, or null at the end */
                            next_before_seq: number | null;
                            stable_version: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        gates?: {
                            max_increase?: number;
                            /** @description error_rate_5xx, p99_ms or security_event_rate:<event type> */
                            metric: string;
                            min_requests?: number;
                            threshold: number;
                        }[];
                        inconclusive_wait_s?: number;
                        /** @enum {string} */
                        on_failure?: "rollback" | "pause";
                        progress_deadline_s?: number;
                        soak_s?: number;
                        strategy: unknown;
                        version: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at?: string;
                            created_by?: string;
                            current_stage?: number | null;
                            ended_at?: string | null;
                            events?: ({
                                at?: string;
                                message?: string;
                                stage?: string | null;
                                type?: string;
                                who?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            id: string;
                            on_failure?: string;
                            pause_reason?: string | null;
                            previous_version: number;
                            rollback_completed_at?: string | null;
                            seq: number;
                            stages: ({
                                acked_at?: string | null;
                                deadline_at?: string | null;
                                ends_at?: string | null;
                                finished_at?: string | null;
                                gates: ({
                                    baseline?: number | null;
                                    requests?: number;
                                    value?: number | null;
                                    verdict?: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                inconclusive_wait_s?: unknown;
                                name: string;
                                nodes: ({
                                    applied_version?: number | null;
                                    assigned_version?: number | null;
                                    id?: string;
                                    previous_version?: number | null;
                                    region?: string | null;
                                    /** @enum {string} */
                                    state?: "pending" | "acked" | "nacked" | "rolled_back";
                                } & {
                                    [key: string]: unknown;
                                })[];
                                progress_deadline_s?: unknown;
                                selector?: {
                                    [key: string]: unknown;
                                };
                                soak_s?: unknown;
                                started_at?: string | null;
                                state: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @enum {string} */
                            state: "running" | "paused" | "succeeded" | "rolled_back" | "aborted" | "failed";
                            strategy?: string;
                            touched_nodes?: ({
                                id: string;
                                previous_version?: number;
                                stage?: number;
                                touched_at?: string;
                                version: number;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** Format: date-time */
                            updated_at?: string;
                            version: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at?: string;
                            created_by?: string;
                            current_stage?: number | null;
                            ended_at?: string | null;
                            events?: ({
                                at?: string;
                                message?: string;
                                stage?: string | null;
                                type?: string;
                                who?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            id: string;
                            on_failure?: string;
                            pause_reason?: string | null;
                            previous_version: number;
                            rollback_completed_at?: string | null;
                            seq: number;
                            stages: ({
                                acked_at?: string | null;
                                deadline_at?: string | null;
                                ends_at?: string | null;
                                finished_at?: string | null;
                                gates: ({
                                    baseline?: number | null;
                                    requests?: number;
                                    value?: number | null;
                                    verdict?: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                inconclusive_wait_s?: unknown;
                                name: string;
                                nodes: ({
                                    applied_version?: number | null;
                                    assigned_version?: number | null;
                                    id?: string;
                                    previous_version?: number | null;
                                    region?: string | null;
                                    /** @enum {string} */
                                    state?: "pending" | "acked" | "nacked" | "rolled_back";
                                } & {
                                    [key: string]: unknown;
                                })[];
                                progress_deadline_s?: unknown;
                                selector?: {
                                    [key: string]: unknown;
                                };
                                soak_s?: unknown;
                                started_at?: string | null;
                                state: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @enum {string} */
                            state: "running" | "paused" | "succeeded" | "rolled_back" | "aborted" | "failed";
                            strategy?: string;
                            touched_nodes?: ({
                                id: string;
                                previous_version?: number;
                                stage?: number;
                                touched_at?: string;
                                version: number;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** Format: date-time */
                            updated_at?: string;
                            version: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts/{id}/abort": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at?: string;
                            created_by?: string;
                            current_stage?: number | null;
                            ended_at?: string | null;
                            events?: ({
                                at?: string;
                                message?: string;
                                stage?: string | null;
                                type?: string;
                                who?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            id: string;
                            on_failure?: string;
                            pause_reason?: string | null;
                            previous_version: number;
                            rollback_completed_at?: string | null;
                            seq: number;
                            stages: ({
                                acked_at?: string | null;
                                deadline_at?: string | null;
                                ends_at?: string | null;
                                finished_at?: string | null;
                                gates: ({
                                    baseline?: number | null;
                                    requests?: number;
                                    value?: number | null;
                                    verdict?: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                inconclusive_wait_s?: unknown;
                                name: string;
                                nodes: ({
                                    applied_version?: number | null;
                                    assigned_version?: number | null;
                                    id?: string;
                                    previous_version?: number | null;
                                    region?: string | null;
                                    /** @enum {string} */
                                    state?: "pending" | "acked" | "nacked" | "rolled_back";
                                } & {
                                    [key: string]: unknown;
                                })[];
                                progress_deadline_s?: unknown;
                                selector?: {
                                    [key: string]: unknown;
                                };
                                soak_s?: unknown;
                                started_at?: string | null;
                                state: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @enum {string} */
                            state: "running" | "paused" | "succeeded" | "rolled_back" | "aborted" | "failed";
                            strategy?: string;
                            touched_nodes?: ({
                                id: string;
                                previous_version?: number;
                                stage?: number;
                                touched_at?: string;
                                version: number;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** Format: date-time */
                            updated_at?: string;
                            version: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at?: string;
                            created_by?: string;
                            current_stage?: number | null;
                            ended_at?: string | null;
                            events?: ({
                                at?: string;
                                message?: string;
                                stage?: string | null;
                                type?: string;
                                who?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            id: string;
                            on_failure?: string;
                            pause_reason?: string | null;
                            previous_version: number;
                            rollback_completed_at?: string | null;
                            seq: number;
                            stages: ({
                                acked_at?: string | null;
                                deadline_at?: string | null;
                                ends_at?: string | null;
                                finished_at?: string | null;
                                gates: ({
                                    baseline?: number | null;
                                    requests?: number;
                                    value?: number | null;
                                    verdict?: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                inconclusive_wait_s?: unknown;
                                name: string;
                                nodes: ({
                                    applied_version?: number | null;
                                    assigned_version?: number | null;
                                    id?: string;
                                    previous_version?: number | null;
                                    region?: string | null;
                                    /** @enum {string} */
                                    state?: "pending" | "acked" | "nacked" | "rolled_back";
                                } & {
                                    [key: string]: unknown;
                                })[];
                                progress_deadline_s?: unknown;
                                selector?: {
                                    [key: string]: unknown;
                                };
                                soak_s?: unknown;
                                started_at?: string | null;
                                state: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @enum {string} */
                            state: "running" | "paused" | "succeeded" | "rolled_back" | "aborted" | "failed";
                            strategy?: string;
                            touched_nodes?: ({
                                id: string;
                                previous_version?: number;
                                stage?: number;
                                touched_at?: string;
                                version: number;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** Format: date-time */
                            updated_at?: string;
                            version: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts/{id}/promote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at?: string;
                            created_by?: string;
                            current_stage?: number | null;
                            ended_at?: string | null;
                            events?: ({
                                at?: string;
                                message?: string;
                                stage?: string | null;
                                type?: string;
                                who?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            id: string;
                            on_failure?: string;
                            pause_reason?: string | null;
                            previous_version: number;
                            rollback_completed_at?: string | null;
                            seq: number;
                            stages: ({
                                acked_at?: string | null;
                                deadline_at?: string | null;
                                ends_at?: string | null;
                                finished_at?: string | null;
                                gates: ({
                                    baseline?: number | null;
                                    requests?: number;
                                    value?: number | null;
                                    verdict?: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                inconclusive_wait_s?: unknown;
                                name: string;
                                nodes: ({
                                    applied_version?: number | null;
                                    assigned_version?: number | null;
                                    id?: string;
                                    previous_version?: number | null;
                                    region?: string | null;
                                    /** @enum {string} */
                                    state?: "pending" | "acked" | "nacked" | "rolled_back";
                                } & {
                                    [key: string]: unknown;
                                })[];
                                progress_deadline_s?: unknown;
                                selector?: {
                                    [key: string]: unknown;
                                };
                                soak_s?: unknown;
                                started_at?: string | null;
                                state: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @enum {string} */
                            state: "running" | "paused" | "succeeded" | "rolled_back" | "aborted" | "failed";
                            strategy?: string;
                            touched_nodes?: ({
                                id: string;
                                previous_version?: number;
                                stage?: number;
                                touched_at?: string;
                                version: number;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** Format: date-time */
                            updated_at?: string;
                            version: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rollouts/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at?: string;
                            created_by?: string;
                            current_stage?: number | null;
                            ended_at?: string | null;
                            events?: ({
                                at?: string;
                                message?: string;
                                stage?: string | null;
                                type?: string;
                                who?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            id: string;
                            on_failure?: string;
                            pause_reason?: string | null;
                            previous_version: number;
                            rollback_completed_at?: string | null;
                            seq: number;
                            stages: ({
                                acked_at?: string | null;
                                deadline_at?: string | null;
                                ends_at?: string | null;
                                finished_at?: string | null;
                                gates: ({
                                    baseline?: number | null;
                                    requests?: number;
                                    value?: number | null;
                                    verdict?: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                inconclusive_wait_s?: unknown;
                                name: string;
                                nodes: ({
                                    applied_version?: number | null;
                                    assigned_version?: number | null;
                                    id?: string;
                                    previous_version?: number | null;
                                    region?: string | null;
                                    /** @enum {string} */
                                    state?: "pending" | "acked" | "nacked" | "rolled_back";
                                } & {
                                    [key: string]: unknown;
                                })[];
                                progress_deadline_s?: unknown;
                                selector?: {
                                    [key: string]: unknown;
                                };
                                soak_s?: unknown;
                                started_at?: string | null;
                                state: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @enum {string} */
                            state: "running" | "paused" | "succeeded" | "rolled_back" | "aborted" | "failed";
                            strategy?: string;
                            touched_nodes?: ({
                                id: string;
                                previous_version?: number;
                                stage?: number;
                                touched_at?: string;
                                version: number;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** Format: date-time */
                            updated_at?: string;
                            version: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/routes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description the cursor: items after this one (see next) */
                    after?: string;
                    /** @description routes matching this host */
                    host?: string;
                    /** @description at most this many items (1-1000); absent: all */
                    limit?: string;
                    /** @description names containing this text */
                    name?: string;
                    /** @description routes with a path under this prefix (segment-wise) */
                    path?: string;
                    /** @description routes with this policy (id or name) */
                    policy?: string;
                    /** @description routes to this upstream (id or name) */
                    upstream?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                /** @description escapes refused by default that this route forwards: %2F, %5C, %01-%1F, %7F */
                                allow_encoded?: string[];
                                allow_encoded_slashes?: boolean;
                                case_sensitive?: boolean;
                                /** @description cookies the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                                cookies?: ({
                                    /** @enum {boolean} */
                                    absent?: true;
                                    exact?: string;
                                    name: string;
                                    prefix?: string;
                                    /** @enum {boolean} */
                                    present?: true;
                                    /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                    regex?: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                /** Format: date-time */
                                created_at: string;
                                /** @description answer with this status, headers and body instead of an upstream */
                                direct_response?: {
                                    /** @description at most 64 KiB (UTF-8) */
                                    body?: string;
                                    headers?: {
                                        [key: string]: string;
                                    };
                                    status: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                /** @description request headers the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                                headers?: ({
                                    /** @enum {boolean} */
                                    absent?: true;
                                    exact?: string;
                                    name: string;
                                    prefix?: string;
                                    /** @enum {boolean} */
                                    present?: true;
                                    /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                    regex?: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                hosts?: string[];
                                id: string;
                                /** @description request body limit in bytes when no request-size policy sets one; 0 = no limit */
                                max_body_bytes?: number;
                                merge_slashes?: boolean;
                                methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE" | "CONNECT")[];
                                /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                                name: string;
                                paths?: (string | ({
                                    prefix: string;
                                } & {
                                    [key: string]: unknown;
                                }) | ({
                                    exact: string;
                                } & {
                                    [key: string]: unknown;
                                }) | ({
                                    /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                    regex: string;
                                } & {
                                    [key: string]: unknown;
                                }) | ({
                                    /** @description literal segments and whole-segment variables: /users/{id} */
                                    template: string;
                                } & {
                                    [key: string]: unknown;
                                }))[];
                                policies?: string[];
                                prefix_rewrite?: string;
                                preserve_host?: boolean;
                                priority?: number;
                                /** @description query parameters (decoded names and values) the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                                query?: ({
                                    /** @enum {boolean} */
                                    absent?: true;
                                    exact?: string;
                                    name: string;
                                    prefix?: string;
                                    /** @enum {boolean} */
                                    present?: true;
                                    /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                    regex?: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                /** @description answer with a redirect to the request's URL with these parts replaced, instead of an upstream */
                                redirect?: {
                                    host?: string;
                                    /** @description replaces the whole path; {name} takes a template's captured value */
                                    path?: string;
                                    /** @description default: kept when scheme and host are */
                                    port?: number;
                                    /** @description replaces the matched prefix (exact and prefix paths) */
                                    prefix_rewrite?: string;
                                    /**
                                     * @description https: an HTTPS upgrade
                                     * @enum {string}
                                     */
                                    scheme?: "http" | "https";
                                    /**
                                     * @description default 301
                                     * @enum {integer}
                                     */
                                    status?: 301 | 302 | 303 | 307 | 308;
                                    /** @description drop the query (default: kept) */
                                    strip_query?: boolean;
                                } & {
                                    [key: string]: unknown;
                                };
                                /** @description legal escapes (and ;) this route refuses, e.g. %23, %3F, %3B, %25 */
                                refuse_encoded?: string[];
                                /** @description match each path only with its own trailing slash (default: /a and /a/ are one route path) */
                                strict_trailing_slash?: boolean;
                                strip_prefix?: boolean;
                                timeouts?: {
                                    body_ms?: number;
                                    connect_ms?: number;
                                    header_ms?: number;
                                    total_ms?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                /** Format: date-time */
                                updated_at: string;
                                /** @description upstream id or name; required unless the route has a redirect or direct_response */
                                upstream?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description URL of the next page (same query, `after` set), or null at the end */
                            next: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description escapes refused by default that this route forwards: %2F, %5C, %01-%1F, %7F */
                        allow_encoded?: string[];
                        allow_encoded_slashes?: boolean;
                        case_sensitive?: boolean;
                        /** @description cookies the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                        cookies?: {
                            /** @enum {boolean} */
                            absent?: true;
                            exact?: string;
                            name: string;
                            prefix?: string;
                            /** @enum {boolean} */
                            present?: true;
                            /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                            regex?: string;
                        }[];
                        /** @description answer with this status, headers and body instead of an upstream */
                        direct_response?: {
                            /** @description at most 64 KiB (UTF-8) */
                            body?: string;
                            headers?: {
                                [key: string]: string;
                            };
                            status: number;
                        };
                        /** @description request headers the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                        headers?: {
                            /** @enum {boolean} */
                            absent?: true;
                            exact?: string;
                            name: string;
                            prefix?: string;
                            /** @enum {boolean} */
                            present?: true;
                            /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                            regex?: string;
                        }[];
                        hosts?: string[];
                        /** @description request body limit in bytes when no request-size policy sets one; 0 = no limit */
                        max_body_bytes?: number;
                        merge_slashes?: boolean;
                        methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE" | "CONNECT")[];
                        /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                        name: string;
                        paths?: (string | {
                            prefix: string;
                        } | {
                            exact: string;
                        } | {
                            /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                            regex: string;
                        } | {
                            /** @description literal segments and whole-segment variables: /users/{id} */
                            template: string;
                        })[];
                        policies?: string[];
                        prefix_rewrite?: string;
                        preserve_host?: boolean;
                        priority?: number;
                        /** @description query parameters (decoded names and values) the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                        query?: {
                            /** @enum {boolean} */
                            absent?: true;
                            exact?: string;
                            name: string;
                            prefix?: string;
                            /** @enum {boolean} */
                            present?: true;
                            /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                            regex?: string;
                        }[];
                        /** @description answer with a redirect to the request's URL with these parts replaced, instead of an upstream */
                        redirect?: {
                            host?: string;
                            /** @description replaces the whole path; {name} takes a template's captured value */
                            path?: string;
                            /** @description default: kept when scheme and host are */
                            port?: number;
                            /** @description replaces the matched prefix (exact and prefix paths) */
                            prefix_rewrite?: string;
                            /**
                             * @description https: an HTTPS upgrade
                             * @enum {string}
                             */
                            scheme?: "http" | "https";
                            /**
                             * @description default 301
                             * @enum {integer}
                             */
                            status?: 301 | 302 | 303 | 307 | 308;
                            /** @description drop the query (default: kept) */
                            strip_query?: boolean;
                        };
                        /** @description legal escapes (and ;) this route refuses, e.g. %23, %3F, %3B, %25 */
                        refuse_encoded?: string[];
                        /** @description match each path only with its own trailing slash (default: /a and /a/ are one route path) */
                        strict_trailing_slash?: boolean;
                        strip_prefix?: boolean;
                        timeouts?: {
                            body_ms?: number;
                            connect_ms?: number;
                            header_ms?: number;
                            total_ms?: number;
                        };
                        /** @description upstream id or name; required unless the route has a redirect or direct_response */
                        upstream?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description escapes refused by default that this route forwards: %2F, %5C, %01-%1F, %7F */
                            allow_encoded?: string[];
                            allow_encoded_slashes?: boolean;
                            case_sensitive?: boolean;
                            /** @description cookies the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                            cookies?: ({
                                /** @enum {boolean} */
                                absent?: true;
                                exact?: string;
                                name: string;
                                prefix?: string;
                                /** @enum {boolean} */
                                present?: true;
                                /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                regex?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** Format: date-time */
                            created_at: string;
                            /** @description answer with this status, headers and body instead of an upstream */
                            direct_response?: {
                                /** @description at most 64 KiB (UTF-8) */
                                body?: string;
                                headers?: {
                                    [key: string]: string;
                                };
                                status: number;
                            } & {
                                [key: string]: unknown;
                            };
                            /** @description request headers the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                            headers?: ({
                                /** @enum {boolean} */
                                absent?: true;
                                exact?: string;
                                name: string;
                                prefix?: string;
                                /** @enum {boolean} */
                                present?: true;
                                /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                regex?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            hosts?: string[];
                            id: string;
                            /** @description request body limit in bytes when no request-size policy sets one; 0 = no limit */
                            max_body_bytes?: number;
                            merge_slashes?: boolean;
                            methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE" | "CONNECT")[];
                            /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                            name: string;
                            paths?: (string | ({
                                prefix: string;
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                exact: string;
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                regex: string;
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                /** @description literal segments and whole-segment variables: /users/{id} */
                                template: string;
                            } & {
                                [key: string]: unknown;
                            }))[];
                            policies?: string[];
                            prefix_rewrite?: string;
                            preserve_host?: boolean;
                            priority?: number;
                            /** @description query parameters (decoded names and values) the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                            query?: ({
                                /** @enum {boolean} */
                                absent?: true;
                                exact?: string;
                                name: string;
                                prefix?: string;
                                /** @enum {boolean} */
                                present?: true;
                                /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                regex?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description answer with a redirect to the request's URL with these parts replaced, instead of an upstream */
                            redirect?: {
                                host?: string;
                                /** @description replaces the whole path; {name} takes a template's captured value */
                                path?: string;
                                /** @description default: kept when scheme and host are */
                                port?: number;
                                /** @description replaces the matched prefix (exact and prefix paths) */
                                prefix_rewrite?: string;
                                /**
                                 * @description https: an HTTPS upgrade
                                 * @enum {string}
                                 */
                                scheme?: "http" | "https";
                                /**
                                 * @description default 301
                                 * @enum {integer}
                                 */
                                status?: 301 | 302 | 303 | 307 | 308;
                                /** @description drop the query (default: kept) */
                                strip_query?: boolean;
                            } & {
                                [key: string]: unknown;
                            };
                            /** @description legal escapes (and ;) this route refuses, e.g. %23, %3F, %3B, %25 */
                            refuse_encoded?: string[];
                            /** @description match each path only with its own trailing slash (default: /a and /a/ are one route path) */
                            strict_trailing_slash?: boolean;
                            strip_prefix?: boolean;
                            timeouts?: {
                                body_ms?: number;
                                connect_ms?: number;
                                header_ms?: number;
                                total_ms?: number;
                            } & {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            updated_at: string;
                            /** @description upstream id or name; required unless the route has a redirect or direct_response */
                            upstream?: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/routes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description escapes refused by default that this route forwards: %2F, %5C, %01-%1F, %7F */
                            allow_encoded?: string[];
                            allow_encoded_slashes?: boolean;
                            case_sensitive?: boolean;
                            /** @description cookies the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                            cookies?: ({
                                /** @enum {boolean} */
                                absent?: true;
                                exact?: string;
                                name: string;
                                prefix?: string;
                                /** @enum {boolean} */
                                present?: true;
                                /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                regex?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** Format: date-time */
                            created_at: string;
                            /** @description answer with this status, headers and body instead of an upstream */
                            direct_response?: {
                                /** @description at most 64 KiB (UTF-8) */
                                body?: string;
                                headers?: {
                                    [key: string]: string;
                                };
                                status: number;
                            } & {
                                [key: string]: unknown;
                            };
                            /** @description request headers the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                            headers?: ({
                                /** @enum {boolean} */
                                absent?: true;
                                exact?: string;
                                name: string;
                                prefix?: string;
                                /** @enum {boolean} */
                                present?: true;
                                /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                regex?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            hosts?: string[];
                            id: string;
                            /** @description request body limit in bytes when no request-size policy sets one; 0 = no limit */
                            max_body_bytes?: number;
                            merge_slashes?: boolean;
                            methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE" | "CONNECT")[];
                            /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                            name: string;
                            paths?: (string | ({
                                prefix: string;
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                exact: string;
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                regex: string;
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                /** @description literal segments and whole-segment variables: /users/{id} */
                                template: string;
                            } & {
                                [key: string]: unknown;
                            }))[];
                            policies?: string[];
                            prefix_rewrite?: string;
                            preserve_host?: boolean;
                            priority?: number;
                            /** @description query parameters (decoded names and values) the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                            query?: ({
                                /** @enum {boolean} */
                                absent?: true;
                                exact?: string;
                                name: string;
                                prefix?: string;
                                /** @enum {boolean} */
                                present?: true;
                                /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                regex?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description answer with a redirect to the request's URL with these parts replaced, instead of an upstream */
                            redirect?: {
                                host?: string;
                                /** @description replaces the whole path; {name} takes a template's captured value */
                                path?: string;
                                /** @description default: kept when scheme and host are */
                                port?: number;
                                /** @description replaces the matched prefix (exact and prefix paths) */
                                prefix_rewrite?: string;
                                /**
                                 * @description https: an HTTPS upgrade
                                 * @enum {string}
                                 */
                                scheme?: "http" | "https";
                                /**
                                 * @description default 301
                                 * @enum {integer}
                                 */
                                status?: 301 | 302 | 303 | 307 | 308;
                                /** @description drop the query (default: kept) */
                                strip_query?: boolean;
                            } & {
                                [key: string]: unknown;
                            };
                            /** @description legal escapes (and ;) this route refuses, e.g. %23, %3F, %3B, %25 */
                            refuse_encoded?: string[];
                            /** @description match each path only with its own trailing slash (default: /a and /a/ are one route path) */
                            strict_trailing_slash?: boolean;
                            strip_prefix?: boolean;
                            timeouts?: {
                                body_ms?: number;
                                connect_ms?: number;
                                header_ms?: number;
                                total_ms?: number;
                            } & {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            updated_at: string;
                            /** @description upstream id or name; required unless the route has a redirect or direct_response */
                            upstream?: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description escapes refused by default that this route forwards: %2F, %5C, %01-%1F, %7F */
                        allow_encoded?: string[];
                        allow_encoded_slashes?: boolean;
                        case_sensitive?: boolean;
                        /** @description cookies the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                        cookies?: {
                            /** @enum {boolean} */
                            absent?: true;
                            exact?: string;
                            name: string;
                            prefix?: string;
                            /** @enum {boolean} */
                            present?: true;
                            /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                            regex?: string;
                        }[];
                        /** @description answer with this status, headers and body instead of an upstream */
                        direct_response?: {
                            /** @description at most 64 KiB (UTF-8) */
                            body?: string;
                            headers?: {
                                [key: string]: string;
                            };
                            status: number;
                        };
                        /** @description request headers the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                        headers?: {
                            /** @enum {boolean} */
                            absent?: true;
                            exact?: string;
                            name: string;
                            prefix?: string;
                            /** @enum {boolean} */
                            present?: true;
                            /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                            regex?: string;
                        }[];
                        hosts?: string[];
                        /** @description request body limit in bytes when no request-size policy sets one; 0 = no limit */
                        max_body_bytes?: number;
                        merge_slashes?: boolean;
                        methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE" | "CONNECT")[];
                        /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                        name: string;
                        paths?: (string | {
                            prefix: string;
                        } | {
                            exact: string;
                        } | {
                            /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                            regex: string;
                        } | {
                            /** @description literal segments and whole-segment variables: /users/{id} */
                            template: string;
                        })[];
                        policies?: string[];
                        prefix_rewrite?: string;
                        preserve_host?: boolean;
                        priority?: number;
                        /** @description query parameters (decoded names and values) the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                        query?: {
                            /** @enum {boolean} */
                            absent?: true;
                            exact?: string;
                            name: string;
                            prefix?: string;
                            /** @enum {boolean} */
                            present?: true;
                            /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                            regex?: string;
                        }[];
                        /** @description answer with a redirect to the request's URL with these parts replaced, instead of an upstream */
                        redirect?: {
                            host?: string;
                            /** @description replaces the whole path; {name} takes a template's captured value */
                            path?: string;
                            /** @description default: kept when scheme and host are */
                            port?: number;
                            /** @description replaces the matched prefix (exact and prefix paths) */
                            prefix_rewrite?: string;
                            /**
                             * @description https: an HTTPS upgrade
                             * @enum {string}
                             */
                            scheme?: "http" | "https";
                            /**
                             * @description default 301
                             * @enum {integer}
                             */
                            status?: 301 | 302 | 303 | 307 | 308;
                            /** @description drop the query (default: kept) */
                            strip_query?: boolean;
                        };
                        /** @description legal escapes (and ;) this route refuses, e.g. %23, %3F, %3B, %25 */
                        refuse_encoded?: string[];
                        /** @description match each path only with its own trailing slash (default: /a and /a/ are one route path) */
                        strict_trailing_slash?: boolean;
                        strip_prefix?: boolean;
                        timeouts?: {
                            body_ms?: number;
                            connect_ms?: number;
                            header_ms?: number;
                            total_ms?: number;
                        };
                        /** @description upstream id or name; required unless the route has a redirect or direct_response */
                        upstream?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description escapes refused by default that this route forwards: %2F, %5C, %01-%1F, %7F */
                            allow_encoded?: string[];
                            allow_encoded_slashes?: boolean;
                            case_sensitive?: boolean;
                            /** @description cookies the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                            cookies?: ({
                                /** @enum {boolean} */
                                absent?: true;
                                exact?: string;
                                name: string;
                                prefix?: string;
                                /** @enum {boolean} */
                                present?: true;
                                /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                regex?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** Format: date-time */
                            created_at: string;
                            /** @description answer with this status, headers and body instead of an upstream */
                            direct_response?: {
                                /** @description at most 64 KiB (UTF-8) */
                                body?: string;
                                headers?: {
                                    [key: string]: string;
                                };
                                status: number;
                            } & {
                                [key: string]: unknown;
                            };
                            /** @description request headers the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                            headers?: ({
                                /** @enum {boolean} */
                                absent?: true;
                                exact?: string;
                                name: string;
                                prefix?: string;
                                /** @enum {boolean} */
                                present?: true;
                                /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                regex?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            hosts?: string[];
                            id: string;
                            /** @description request body limit in bytes when no request-size policy sets one; 0 = no limit */
                            max_body_bytes?: number;
                            merge_slashes?: boolean;
                            methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE" | "CONNECT")[];
                            /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                            name: string;
                            paths?: (string | ({
                                prefix: string;
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                exact: string;
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                regex: string;
                            } & {
                                [key: string]: unknown;
                            }) | ({
                                /** @description literal segments and whole-segment variables: /users/{id} */
                                template: string;
                            } & {
                                [key: string]: unknown;
                            }))[];
                            policies?: string[];
                            prefix_rewrite?: string;
                            preserve_host?: boolean;
                            priority?: number;
                            /** @description query parameters (decoded names and values) the request must carry (all must match); each item has name and exactly one of exact, prefix, regex, present, absent */
                            query?: ({
                                /** @enum {boolean} */
                                absent?: true;
                                exact?: string;
                                name: string;
                                prefix?: string;
                                /** @enum {boolean} */
                                present?: true;
                                /** @description RE2 expression matched against the whole value (linear time; no look-around or back-references) */
                                regex?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description answer with a redirect to the request's URL with these parts replaced, instead of an upstream */
                            redirect?: {
                                host?: string;
                                /** @description replaces the whole path; {name} takes a template's captured value */
                                path?: string;
                                /** @description default: kept when scheme and host are */
                                port?: number;
                                /** @description replaces the matched prefix (exact and prefix paths) */
                                prefix_rewrite?: string;
                                /**
                                 * @description https: an HTTPS upgrade
                                 * @enum {string}
                                 */
                                scheme?: "http" | "https";
                                /**
                                 * @description default 301
                                 * @enum {integer}
                                 */
                                status?: 301 | 302 | 303 | 307 | 308;
                                /** @description drop the query (default: kept) */
                                strip_query?: boolean;
                            } & {
                                [key: string]: unknown;
                            };
                            /** @description legal escapes (and ;) this route refuses, e.g. %23, %3F, %3B, %25 */
                            refuse_encoded?: string[];
                            /** @description match each path only with its own trailing slash (default: /a and /a/ are one route path) */
                            strict_trailing_slash?: boolean;
                            strip_prefix?: boolean;
                            timeouts?: {
                                body_ms?: number;
                                connect_ms?: number;
                                header_ms?: number;
                                total_ms?: number;
                            } & {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            updated_at: string;
                            /** @description upstream id or name; required unless the route has a redirect or direct_response */
                            upstream?: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description no body */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rule-sets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description the cursor: items after this one (see next) */
                    after?: string;
                    /** @description at most this many items (1-1000); absent: all */
                    limit?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                /** @description ships with the control plane (read-only) */
                                bundled: boolean;
                                bytes: number;
                                /** @description sha256 of the files: nodes hold the rule set by it */
                                content_hash: string;
                                /** Format: date-time */
                                created_at?: string;
                                /** @description from the rules' SecComponentSignature, or null */
                                crs_version: string | null;
                                /** @description the rule set a waf policy runs when it names none */
                                default: boolean;
                                description?: string;
                                files: ({
                                    bytes: number;
                                    path: string;
                                    sha256?: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                id: string;
                                name: string;
                                /** @description rules with an id; null when this control plane cannot parse the files */
                                rules: number | null;
                                /** Format: date-time */
                                updated_at?: string;
                                used_by: string[];
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description URL of the next page (same query, `after` set), or null at the end */
                            next: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string;
                        files: ({
                            content?: string;
                            content_base64?: string;
                            path: string;
                        } & (unknown | unknown))[];
                        /** @description unique; letters, digits, '.', '_' and '-'; at most 64 characters */
                        name: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description ships with the control plane (read-only) */
                            bundled: boolean;
                            bytes: number;
                            /** @description sha256 of the files: nodes hold the rule set by it */
                            content_hash: string;
                            /** Format: date-time */
                            created_at?: string;
                            /** @description from the rules' SecComponentSignature, or null */
                            crs_version: string | null;
                            /** @description the rule set a waf policy runs when it names none */
                            default: boolean;
                            description?: string;
                            files: ({
                                bytes: number;
                                path: string;
                                sha256?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            id: string;
                            name: string;
                            /** @description rules with an id; null when this control plane cannot parse the files */
                            rules: number | null;
                            /** Format: date-time */
                            updated_at?: string;
                            used_by: string[];
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rule-sets/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description ships with the control plane (read-only) */
                            bundled: boolean;
                            bytes: number;
                            /** @description sha256 of the files: nodes hold the rule set by it */
                            content_hash: string;
                            /** Format: date-time */
                            created_at?: string;
                            /** @description from the rules' SecComponentSignature, or null */
                            crs_version: string | null;
                            /** @description the rule set a waf policy runs when it names none */
                            default: boolean;
                            description?: string;
                            files: ({
                                bytes: number;
                                path: string;
                                sha256?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            id: string;
                            name: string;
                            /** @description rules with an id; null when this control plane cannot parse the files */
                            rules: number | null;
                            /** Format: date-time */
                            updated_at?: string;
                            used_by: string[];
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string;
                        files: ({
                            content?: string;
                            content_base64?: string;
                            path: string;
                        } & (unknown | unknown))[];
                        /** @description unique; letters, digits, '.', '_' and '-'; at most 64 characters */
                        name: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description ships with the control plane (read-only) */
                            bundled: boolean;
                            bytes: number;
                            /** @description sha256 of the files: nodes hold the rule set by it */
                            content_hash: string;
                            /** Format: date-time */
                            created_at?: string;
                            /** @description from the rules' SecComponentSignature, or null */
                            crs_version: string | null;
                            /** @description the rule set a waf policy runs when it names none */
                            default: boolean;
                            description?: string;
                            files: ({
                                bytes: number;
                                path: string;
                                sha256?: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            id: string;
                            name: string;
                            /** @description rules with an id; null when this control plane cannot parse the files */
                            rules: number | null;
                            /** Format: date-time */
                            updated_at?: string;
                            used_by: string[];
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description no body */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/rule-sets/{id}/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    limit?: string;
                    q?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                file: string;
                                id: number;
                                line: number;
                                msg: string;
                                paranoia_level?: unknown;
                                phase: number;
                                severity?: unknown;
                                tags: string[];
                            } & {
                                [key: string]: unknown;
                            })[];
                            rule_set: {
                                id: string;
                                name: string;
                            } & {
                                [key: string]: unknown;
                            };
                            total: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/security/waf": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    window_s?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description nodes that reported in the window */
                            nodes: number;
                            routes: ({
                                policy_id: string;
                                policy_name?: string | null;
                                route_id: string;
                                route_name?: string | null;
                                top_rules: ({
                                    id?: number;
                                    msg?: string;
                                } & {
                                    [key: string]: unknown;
                                })[];
                            } & {
                                [key: string]: unknown;
                            })[];
                            window_s: number;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description global_policies as ids */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            global_policies: string[];
                            /** @description request body limit of routes without their own, bytes; 0 = none; unset = each node's --max-body-bytes */
                            max_body_bytes?: number;
                            merge_slashes: boolean;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        global_policies?: string[];
                        /** @description request body limit of routes without their own, bytes; 0 = none; unset = each node's --max-body-bytes */
                        max_body_bytes?: number;
                        merge_slashes?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description global_policies as ids */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            global_policies: string[];
                            /** @description request body limit of routes without their own, bytes; 0 = none; unset = each node's --max-body-bytes */
                            max_body_bytes?: number;
                            merge_slashes: boolean;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/telemetry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read the telemetry config (SIEM sinks, overrides, secret names, trace export) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            secret_fields: string[];
                            secret_headers: string[];
                            siem_overrides: ({
                                disabled?: boolean;
                                selector: {
                                    labels?: {
                                        [key: string]: string;
                                    };
                                    node_ids?: string[];
                                    regions?: string[];
                                } & {
                                    [key: string]: unknown;
                                };
                                sink?: {
                                    batch_max_events?: number;
                                    disabled?: boolean;
                                    file?: {
                                        max_files?: number;
                                        path: string;
                                        rotate_bytes?: number;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                    /** @description 1-63 of a-z, 0-9 and '-' */
                                    name: string;
                                    retry?: {
                                        initial_ms?: number;
                                        max_ms?: number;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                    spool?: {
                                        fsync_interval_ms?: number;
                                        max_bytes?: number;
                                        max_events?: number;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                    syslog?: {
                                        /** @description host:port or [v6]:port */
                                        address: string;
                                        app_name?: string;
                                        connect_timeout_ms?: number;
                                        facility?: string;
                                        /** @enum {unknown} */
                                        framing?: "octet-counting" | "lf";
                                        hostname?: string;
                                        max_message_bytes?: number;
                                        /**
                                         * @description RFC 5426, RFC 6587, RFC 5425
                                         * @enum {unknown}
                                         */
                                        protocol: "udp" | "tcp" | "tls";
                                        tls?: {
                                            ca_pem?: string;
                                            cert_pem?: string;
                                            /** @description secret: answers show [redacted]; send [redacted] to keep the stored key */
                                            key_pem?: string;
                                            server_name?: string;
                                        } & {
                                            [key: string]: unknown;
                                        };
                                    } & {
                                        [key: string]: unknown;
                                    };
                                    webhook?: {
                                        batch_max_bytes?: number;
                                        /** @enum {unknown} */
                                        format?: "ndjson" | "json";
                                        /** @description secret values: answers show [redacted]; send [redacted] to keep a stored value */
                                        headers?: {
                                            [key: string]: string;
                                        };
                                        request_timeout_ms?: number;
                                        tls?: {
                                            ca_pem?: string;
                                            cert_pem?: string;
                                            /** @description secret: answers show [redacted]; send [redacted] to keep the stored key */
                                            key_pem?: string;
                                            server_name?: string;
                                        } & {
                                            [key: string]: unknown;
                                        };
                                        url: string;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                } & {
                                    [key: string]: unknown;
                                };
                                sink_name: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            siem_sinks: ({
                                batch_max_events?: number;
                                disabled?: boolean;
                                file?: {
                                    max_files?: number;
                                    path: string;
                                    rotate_bytes?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                /** @description 1-63 of a-z, 0-9 and '-' */
                                name: string;
                                retry?: {
                                    initial_ms?: number;
                                    max_ms?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                spool?: {
                                    fsync_interval_ms?: number;
                                    max_bytes?: number;
                                    max_events?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                syslog?: {
                                    /** @description host:port or [v6]:port */
                                    address: string;
                                    app_name?: string;
                                    connect_timeout_ms?: number;
                                    facility?: string;
                                    /** @enum {unknown} */
                                    framing?: "octet-counting" | "lf";
                                    hostname?: string;
                                    max_message_bytes?: number;
                                    /**
                                     * @description RFC 5426, RFC 6587, RFC 5425
                                     * @enum {unknown}
                                     */
                                    protocol: "udp" | "tcp" | "tls";
                                    tls?: {
                                        ca_pem?: string;
                                        cert_pem?: string;
                                        /** @description secret: answers show [redacted]; send [redacted] to keep the stored key */
                                        key_pem?: string;
                                        server_name?: string;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                } & {
                                    [key: string]: unknown;
                                };
                                webhook?: {
                                    batch_max_bytes?: number;
                                    /** @enum {unknown} */
                                    format?: "ndjson" | "json";
                                    /** @description secret values: answers show [redacted]; send [redacted] to keep a stored value */
                                    headers?: {
                                        [key: string]: string;
                                    };
                                    request_timeout_ms?: number;
                                    tls?: {
                                        ca_pem?: string;
                                        cert_pem?: string;
                                        /** @description secret: answers show [redacted]; send [redacted] to keep the stored key */
                                        key_pem?: string;
                                        server_name?: string;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                    url: string;
                                } & {
                                    [key: string]: unknown;
                                };
                            } & {
                                [key: string]: unknown;
                            })[];
                            trace_export?: {
                                disabled?: boolean;
                                /** @description OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces */
                                endpoint?: string;
                                /** @description secret values: answers show [redacted]; send [redacted] to keep a stored value */
                                headers?: {
                                    [key: string]: string;
                                };
                                max_batch_spans?: number;
                                max_queue_spans?: number;
                                sample_ratio?: number;
                                scheduled_delay_ms?: number;
                                timeout_ms?: number;
                            } & {
                                [key: string]: unknown;
                            };
                            trace_export_overrides?: ({
                                selector: {
                                    labels?: {
                                        [key: string]: string;
                                    };
                                    node_ids?: string[];
                                    regions?: string[];
                                } & {
                                    [key: string]: unknown;
                                };
                                trace_export: {
                                    disabled?: boolean;
                                    /** @description OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces */
                                    endpoint?: string;
                                    /** @description secret values: answers show [redacted]; send [redacted] to keep a stored value */
                                    headers?: {
                                        [key: string]: string;
                                    };
                                    max_batch_spans?: number;
                                    max_queue_spans?: number;
                                    sample_ratio?: number;
                                    scheduled_delay_ms?: number;
                                    timeout_ms?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                            } & {
                                [key: string]: unknown;
                            })[];
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        /** Replace the telemetry config (published with the next version) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        secret_fields?: string[];
                        secret_headers?: string[];
                        siem_overrides?: {
                            disabled?: boolean;
                            selector: {
                                labels?: {
                                    [key: string]: string;
                                };
                                node_ids?: string[];
                                regions?: string[];
                            };
                            sink?: {
                                batch_max_events?: number;
                                disabled?: boolean;
                                file?: {
                                    max_files?: number;
                                    path: string;
                                    rotate_bytes?: number;
                                };
                                /** @description 1-63 of a-z, 0-9 and '-' */
                                name: string;
                                retry?: {
                                    initial_ms?: number;
                                    max_ms?: number;
                                };
                                spool?: {
                                    fsync_interval_ms?: number;
                                    max_bytes?: number;
                                    max_events?: number;
                                };
                                syslog?: {
                                    /** @description host:port or [v6]:port */
                                    address: string;
                                    app_name?: string;
                                    connect_timeout_ms?: number;
                                    facility?: string;
                                    /** @enum {unknown} */
                                    framing?: "octet-counting" | "lf";
                                    hostname?: string;
                                    max_message_bytes?: number;
                                    /**
                                     * @description RFC 5426, RFC 6587, RFC 5425
                                     * @enum {unknown}
                                     */
                                    protocol: "udp" | "tcp" | "tls";
                                    tls?: {
                                        ca_pem?: string;
                                        cert_pem?: string;
                                        /** @description secret: answers show [redacted]; send [redacted] to keep the stored key */
                                        key_pem?: string;
                                        server_name?: string;
                                    };
                                };
                                webhook?: {
                                    batch_max_bytes?: number;
                                    /** @enum {unknown} */
                                    format?: "ndjson" | "json";
                                    /** @description secret values: answers show [redacted]; send [redacted] to keep a stored value */
                                    headers?: {
                                        [key: string]: string;
                                    };
                                    request_timeout_ms?: number;
                                    tls?: {
                                        ca_pem?: string;
                                        cert_pem?: string;
                                        /** @description secret: answers show [redacted]; send [redacted] to keep the stored key */
                                        key_pem?: string;
                                        server_name?: string;
                                    };
                                    url: string;
                                };
                            };
                            sink_name: string;
                        }[];
                        siem_sinks?: {
                            batch_max_events?: number;
                            disabled?: boolean;
                            file?: {
                                max_files?: number;
                                path: string;
                                rotate_bytes?: number;
                            };
                            /** @description 1-63 of a-z, 0-9 and '-' */
                            name: string;
                            retry?: {
                                initial_ms?: number;
                                max_ms?: number;
                            };
                            spool?: {
                                fsync_interval_ms?: number;
                                max_bytes?: number;
                                max_events?: number;
                            };
                            syslog?: {
                                /** @description host:port or [v6]:port */
                                address: string;
                                app_name?: string;
                                connect_timeout_ms?: number;
                                facility?: string;
                                /** @enum {unknown} */
                                framing?: "octet-counting" | "lf";
                                hostname?: string;
                                max_message_bytes?: number;
                                /**
                                 * @description RFC 5426, RFC 6587, RFC 5425
                                 * @enum {unknown}
                                 */
                                protocol: "udp" | "tcp" | "tls";
                                tls?: {
                                    ca_pem?: string;
                                    cert_pem?: string;
                                    /** @description secret: answers show [redacted]; send [redacted] to keep the stored key */
                                    key_pem?: string;
                                    server_name?: string;
                                };
                            };
                            webhook?: {
                                batch_max_bytes?: number;
                                /** @enum {unknown} */
                                format?: "ndjson" | "json";
                                /** @description secret values: answers show [redacted]; send [redacted] to keep a stored value */
                                headers?: {
                                    [key: string]: string;
                                };
                                request_timeout_ms?: number;
                                tls?: {
                                    ca_pem?: string;
                                    cert_pem?: string;
                                    /** @description secret: answers show [redacted]; send [redacted] to keep the stored key */
                                    key_pem?: string;
                                    server_name?: string;
                                };
                                url: string;
                            };
                        }[];
                        trace_export?: {
                            disabled?: boolean;
                            /** @description OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces */
                            endpoint?: string;
                            /** @description secret values: answers show [redacted]; send [redacted] to keep a stored value */
                            headers?: {
                                [key: string]: string;
                            };
                            max_batch_spans?: number;
                            max_queue_spans?: number;
                            sample_ratio?: number;
                            scheduled_delay_ms?: number;
                            timeout_ms?: number;
                        };
                        trace_export_overrides?: {
                            selector: {
                                labels?: {
                                    [key: string]: string;
                                };
                                node_ids?: string[];
                                regions?: string[];
                            };
                            trace_export: {
                                disabled?: boolean;
                                /** @description OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces */
                                endpoint?: string;
                                /** @description secret values: answers show [redacted]; send [redacted] to keep a stored value */
                                headers?: {
                                    [key: string]: string;
                                };
                                max_batch_spans?: number;
                                max_queue_spans?: number;
                                sample_ratio?: number;
                                scheduled_delay_ms?: number;
                                timeout_ms?: number;
                            };
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            secret_fields: string[];
                            secret_headers: string[];
                            siem_overrides: ({
                                disabled?: boolean;
                                selector: {
                                    labels?: {
                                        [key: string]: string;
                                    };
                                    node_ids?: string[];
                                    regions?: string[];
                                } & {
                                    [key: string]: unknown;
                                };
                                sink?: {
                                    batch_max_events?: number;
                                    disabled?: boolean;
                                    file?: {
                                        max_files?: number;
                                        path: string;
                                        rotate_bytes?: number;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                    /** @description 1-63 of a-z, 0-9 and '-' */
                                    name: string;
                                    retry?: {
                                        initial_ms?: number;
                                        max_ms?: number;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                    spool?: {
                                        fsync_interval_ms?: number;
                                        max_bytes?: number;
                                        max_events?: number;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                    syslog?: {
                                        /** @description host:port or [v6]:port */
                                        address: string;
                                        app_name?: string;
                                        connect_timeout_ms?: number;
                                        facility?: string;
                                        /** @enum {unknown} */
                                        framing?: "octet-counting" | "lf";
                                        hostname?: string;
                                        max_message_bytes?: number;
                                        /**
                                         * @description RFC 5426, RFC 6587, RFC 5425
                                         * @enum {unknown}
                                         */
                                        protocol: "udp" | "tcp" | "tls";
                                        tls?: {
                                            ca_pem?: string;
                                            cert_pem?: string;
                                            /** @description secret: answers show [redacted]; send [redacted] to keep the stored key */
                                            key_pem?: string;
                                            server_name?: string;
                                        } & {
                                            [key: string]: unknown;
                                        };
                                    } & {
                                        [key: string]: unknown;
                                    };
                                    webhook?: {
                                        batch_max_bytes?: number;
                                        /** @enum {unknown} */
                                        format?: "ndjson" | "json";
                                        /** @description secret values: answers show [redacted]; send [redacted] to keep a stored value */
                                        headers?: {
                                            [key: string]: string;
                                        };
                                        request_timeout_ms?: number;
                                        tls?: {
                                            ca_pem?: string;
                                            cert_pem?: string;
                                            /** @description secret: answers show [redacted]; send [redacted] to keep the stored key */
                                            key_pem?: string;
                                            server_name?: string;
                                        } & {
                                            [key: string]: unknown;
                                        };
                                        url: string;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                } & {
                                    [key: string]: unknown;
                                };
                                sink_name: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            siem_sinks: ({
                                batch_max_events?: number;
                                disabled?: boolean;
                                file?: {
                                    max_files?: number;
                                    path: string;
                                    rotate_bytes?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                /** @description 1-63 of a-z, 0-9 and '-' */
                                name: string;
                                retry?: {
                                    initial_ms?: number;
                                    max_ms?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                spool?: {
                                    fsync_interval_ms?: number;
                                    max_bytes?: number;
                                    max_events?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                syslog?: {
                                    /** @description host:port or [v6]:port */
                                    address: string;
                                    app_name?: string;
                                    connect_timeout_ms?: number;
                                    facility?: string;
                                    /** @enum {unknown} */
                                    framing?: "octet-counting" | "lf";
                                    hostname?: string;
                                    max_message_bytes?: number;
                                    /**
                                     * @description RFC 5426, RFC 6587, RFC 5425
                                     * @enum {unknown}
                                     */
                                    protocol: "udp" | "tcp" | "tls";
                                    tls?: {
                                        ca_pem?: string;
                                        cert_pem?: string;
                                        /** @description secret: answers show [redacted]; send [redacted] to keep the stored key */
                                        key_pem?: string;
                                        server_name?: string;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                } & {
                                    [key: string]: unknown;
                                };
                                webhook?: {
                                    batch_max_bytes?: number;
                                    /** @enum {unknown} */
                                    format?: "ndjson" | "json";
                                    /** @description secret values: answers show [redacted]; send [redacted] to keep a stored value */
                                    headers?: {
                                        [key: string]: string;
                                    };
                                    request_timeout_ms?: number;
                                    tls?: {
                                        ca_pem?: string;
                                        cert_pem?: string;
                                        /** @description secret: answers show [redacted]; send [redacted] to keep the stored key */
                                        key_pem?: string;
                                        server_name?: string;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                    url: string;
                                } & {
                                    [key: string]: unknown;
                                };
                            } & {
                                [key: string]: unknown;
                            })[];
                            trace_export?: {
                                disabled?: boolean;
                                /** @description OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces */
                                endpoint?: string;
                                /** @description secret values: answers show [redacted]; send [redacted] to keep a stored value */
                                headers?: {
                                    [key: string]: string;
                                };
                                max_batch_spans?: number;
                                max_queue_spans?: number;
                                sample_ratio?: number;
                                scheduled_delay_ms?: number;
                                timeout_ms?: number;
                            } & {
                                [key: string]: unknown;
                            };
                            trace_export_overrides?: ({
                                selector: {
                                    labels?: {
                                        [key: string]: string;
                                    };
                                    node_ids?: string[];
                                    regions?: string[];
                                } & {
                                    [key: string]: unknown;
                                };
                                trace_export: {
                                    disabled?: boolean;
                                    /** @description OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces */
                                    endpoint?: string;
                                    /** @description secret values: answers show [redacted]; send [redacted] to keep a stored value */
                                    headers?: {
                                        [key: string]: string;
                                    };
                                    max_batch_spans?: number;
                                    max_queue_spans?: number;
                                    sample_ratio?: number;
                                    scheduled_delay_ms?: number;
                                    timeout_ms?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                            } & {
                                [key: string]: unknown;
                            })[];
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    after?: string;
                    limit?: string;
                    role?: string;
                    source?: "bootstrap" | "api" | "oidc";
                    state?: "active" | "expired" | "revoked";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                /** Format: date-time */
                                created_at: string;
                                created_by?: string | null;
                                expires_at?: string | null;
                                /** @description the first 12 hex digits of the secret's hash */
                                fingerprint?: string;
                                id: string;
                                last_used_at?: string | null;
                                name: string;
                                regions: string[];
                                revoked_at?: string | null;
                                role: string;
                                rotated_at?: string | null;
                                route_prefixes: string[];
                                /** @enum {string} */
                                source: "bootstrap" | "api" | "oidc";
                                /** @enum {string} */
                                state: "active" | "expired" | "revoked";
                                /** @description the OIDC subject of a sign-in token */
                                subject?: string | null;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description URL of the next page (same query, `after` set), or null at the end */
                            next: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: date-time */
                        expires_at?: string;
                        name: string;
                        /** @description node and rollout operations only in these regions; empty or absent: every region */
                        regions?: string[];
                        role: string;
                        /** @description route edits only under these path prefixes; empty or absent: every route */
                        route_prefixes?: string[];
                        /** @description lifetime in seconds */
                        ttl_s?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at?: string;
                            created_by?: string | null;
                            expires_at?: string | null;
                            /** @description the first 12 hex digits of the secret's hash */
                            fingerprint?: string;
                            id: string;
                            last_used_at?: string | null;
                            name: string;
                            regions?: string[];
                            revoked_at?: string | null;
                            role: string;
                            rotated_at?: string | null;
                            route_prefixes?: string[];
                            /** @enum {string} */
                            source?: "bootstrap" | "api" | "oidc";
                            /** @enum {string} */
                            state: "active" | "expired" | "revoked";
                            /** @description the OIDC subject of a sign-in token */
                            subject?: string | null;
                            /** @description the secret, shown once */
                            token: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description a token id */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at: string;
                            created_by?: string | null;
                            expires_at?: string | null;
                            /** @description the first 12 hex digits of the secret's hash */
                            fingerprint?: string;
                            id: string;
                            last_used_at?: string | null;
                            name: string;
                            regions: string[];
                            revoked_at?: string | null;
                            role: string;
                            rotated_at?: string | null;
                            route_prefixes: string[];
                            /** @enum {string} */
                            source: "bootstrap" | "api" | "oidc";
                            /** @enum {string} */
                            state: "active" | "expired" | "revoked";
                            /** @description the OIDC subject of a sign-in token */
                            subject?: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description a token id */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description no body */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tokens/{id}/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description a token id */
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description lifetime in seconds */
                        ttl_s?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            created_at?: string;
                            created_by?: string | null;
                            expires_at?: string | null;
                            /** @description the first 12 hex digits of the secret's hash */
                            fingerprint?: string;
                            id: string;
                            last_used_at?: string | null;
                            name: string;
                            regions?: string[];
                            revoked_at?: string | null;
                            role: string;
                            rotated_at?: string | null;
                            route_prefixes?: string[];
                            /** @enum {string} */
                            source?: "bootstrap" | "api" | "oidc";
                            /** @enum {string} */
                            state: "active" | "expired" | "revoked";
                            /** @description the OIDC subject of a sign-in token */
                            subject?: string | null;
                            /** @description the secret, shown once */
                            token: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tokens/self": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            expires_at: string | null;
                            id: string;
                            name: string;
                            permissions: string[];
                            regions: string[];
                            role: string;
                            route_prefixes: string[];
                            /** @enum {string} */
                            source: "env" | "bootstrap" | "api" | "oidc";
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/upstreams": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    /** @description the cursor: items after this one (see next) */
                    after?: string;
                    /** @description upstreams with a target on this host */
                    host?: string;
                    /** @description at most this many items (1-1000); absent: all */
                    limit?: string;
                    /** @description names containing this text */
                    name?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: ({
                                circuit_breaker?: {
                                    max_connections?: number;
                                    max_pending?: number;
                                    max_requests?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                /** Format: date-time */
                                created_at: string;
                                /** @description ring_hash key: exactly one of header, cookie, client_ip */
                                hash_on?: {
                                    /** @enum {boolean} */
                                    client_ip?: true;
                                    cookie?: string;
                                    header?: string;
                                } & {
                                    [key: string]: unknown;
                                };
                                health_check?: {
                                    active?: {
                                        healthy_threshold?: number;
                                        interval_ms?: number;
                                        path: string;
                                        timeout_ms?: number;
                                        unhealthy_threshold?: number;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                    passive?: {
                                        base_ejection_ms?: number;
                                        consecutive_5xx?: number;
                                        consecutive_connect_failures?: number;
                                        enabled?: boolean;
                                        max_ejection_percent?: number;
                                    } & {
                                        [key: string]: unknown;
                                    };
                                } & {
                                    [key: string]: unknown;
                                };
                                id: string;
                                /** @enum {string} */
                                load_balancing?: "round_robin" | "least_requests" | "ring_hash";
                                /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                                name: string;
                                /** @description the upstream's base path, e.g. /pub */
                                path_prefix?: string;
                                retries?: {
                                    budget_percent?: number;
                                    max_retries?: number;
                                    min_concurrent?: number;
                                    retry_on_statuses?: number[];
                                } & {
                                    [key: string]: unknown;
                                };
                                /** @enum {string} */
                                scheme?: "http" | "https";
                                targets: ({
                                    host: string;
                                    port: number;
                                    weight?: number;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                timeouts?: {
                                    body_ms?: number;
                                    connect_ms?: number;
                                    header_ms?: number;
                                    total_ms?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                tls?: {
                                    ca_pem?: string;
                                    server_name?: string;
                                    /** @description false turns certificate verification off (explicit only) */
                                    verify?: boolean;
                                } & {
                                    [key: string]: unknown;
                                };
                                /** Format: date-time */
                                updated_at: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            /** @description URL of the next page (same query, `after` set), or null at the end */
                            next: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        circuit_breaker?: {
                            max_connections?: number;
                            max_pending?: number;
                            max_requests?: number;
                        };
                        /** @description ring_hash key: exactly one of header, cookie, client_ip */
                        hash_on?: {
                            /** @enum {boolean} */
                            client_ip?: true;
                            cookie?: string;
                            header?: string;
                        };
                        health_check?: {
                            active?: {
                                healthy_threshold?: number;
                                interval_ms?: number;
                                path: string;
                                timeout_ms?: number;
                                unhealthy_threshold?: number;
                            };
                            passive?: {
                                base_ejection_ms?: number;
                                consecutive_5xx?: number;
                                consecutive_connect_failures?: number;
                                enabled?: boolean;
                                max_ejection_percent?: number;
                            };
                        };
                        /** @enum {string} */
                        load_balancing?: "round_robin" | "least_requests" | "ring_hash";
                        /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                        name: string;
                        /** @description the upstream's base path, e.g. /pub */
                        path_prefix?: string;
                        retries?: {
                            budget_percent?: number;
                            max_retries?: number;
                            min_concurrent?: number;
                            retry_on_statuses?: number[];
                        };
                        /** @enum {string} */
                        scheme?: "http" | "https";
                        targets: {
                            host: string;
                            port: number;
                            weight?: number;
                        }[];
                        timeouts?: {
                            body_ms?: number;
                            connect_ms?: number;
                            header_ms?: number;
                            total_ms?: number;
                        };
                        tls?: {
                            ca_pem?: string;
                            server_name?: string;
                            /** @description false turns certificate verification off (explicit only) */
                            verify?: boolean;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            circuit_breaker?: {
                                max_connections?: number;
                                max_pending?: number;
                                max_requests?: number;
                            } & {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            created_at: string;
                            /** @description ring_hash key: exactly one of header, cookie, client_ip */
                            hash_on?: {
                                /** @enum {boolean} */
                                client_ip?: true;
                                cookie?: string;
                                header?: string;
                            } & {
                                [key: string]: unknown;
                            };
                            health_check?: {
                                active?: {
                                    healthy_threshold?: number;
                                    interval_ms?: number;
                                    path: string;
                                    timeout_ms?: number;
                                    unhealthy_threshold?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                passive?: {
                                    base_ejection_ms?: number;
                                    consecutive_5xx?: number;
                                    consecutive_connect_failures?: number;
                                    enabled?: boolean;
                                    max_ejection_percent?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                            } & {
                                [key: string]: unknown;
                            };
                            id: string;
                            /** @enum {string} */
                            load_balancing?: "round_robin" | "least_requests" | "ring_hash";
                            /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                            name: string;
                            /** @description the upstream's base path, e.g. /pub */
                            path_prefix?: string;
                            retries?: {
                                budget_percent?: number;
                                max_retries?: number;
                                min_concurrent?: number;
                                retry_on_statuses?: number[];
                            } & {
                                [key: string]: unknown;
                            };
                            /** @enum {string} */
                            scheme?: "http" | "https";
                            targets: ({
                                host: string;
                                port: number;
                                weight?: number;
                            } & {
                                [key: string]: unknown;
                            })[];
                            timeouts?: {
                                body_ms?: number;
                                connect_ms?: number;
                                header_ms?: number;
                                total_ms?: number;
                            } & {
                                [key: string]: unknown;
                            };
                            tls?: {
                                ca_pem?: string;
                                server_name?: string;
                                /** @description false turns certificate verification off (explicit only) */
                                verify?: boolean;
                            } & {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            updated_at: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/upstreams/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            circuit_breaker?: {
                                max_connections?: number;
                                max_pending?: number;
                                max_requests?: number;
                            } & {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            created_at: string;
                            /** @description ring_hash key: exactly one of header, cookie, client_ip */
                            hash_on?: {
                                /** @enum {boolean} */
                                client_ip?: true;
                                cookie?: string;
                                header?: string;
                            } & {
                                [key: string]: unknown;
                            };
                            health_check?: {
                                active?: {
                                    healthy_threshold?: number;
                                    interval_ms?: number;
                                    path: string;
                                    timeout_ms?: number;
                                    unhealthy_threshold?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                passive?: {
                                    base_ejection_ms?: number;
                                    consecutive_5xx?: number;
                                    consecutive_connect_failures?: number;
                                    enabled?: boolean;
                                    max_ejection_percent?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                            } & {
                                [key: string]: unknown;
                            };
                            id: string;
                            /** @enum {string} */
                            load_balancing?: "round_robin" | "least_requests" | "ring_hash";
                            /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                            name: string;
                            /** @description the upstream's base path, e.g. /pub */
                            path_prefix?: string;
                            retries?: {
                                budget_percent?: number;
                                max_retries?: number;
                                min_concurrent?: number;
                                retry_on_statuses?: number[];
                            } & {
                                [key: string]: unknown;
                            };
                            /** @enum {string} */
                            scheme?: "http" | "https";
                            targets: ({
                                host: string;
                                port: number;
                                weight?: number;
                            } & {
                                [key: string]: unknown;
                            })[];
                            timeouts?: {
                                body_ms?: number;
                                connect_ms?: number;
                                header_ms?: number;
                                total_ms?: number;
                            } & {
                                [key: string]: unknown;
                            };
                            tls?: {
                                ca_pem?: string;
                                server_name?: string;
                                /** @description false turns certificate verification off (explicit only) */
                                verify?: boolean;
                            } & {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            updated_at: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        circuit_breaker?: {
                            max_connections?: number;
                            max_pending?: number;
                            max_requests?: number;
                        };
                        /** @description ring_hash key: exactly one of header, cookie, client_ip */
                        hash_on?: {
                            /** @enum {boolean} */
                            client_ip?: true;
                            cookie?: string;
                            header?: string;
                        };
                        health_check?: {
                            active?: {
                                healthy_threshold?: number;
                                interval_ms?: number;
                                path: string;
                                timeout_ms?: number;
                                unhealthy_threshold?: number;
                            };
                            passive?: {
                                base_ejection_ms?: number;
                                consecutive_5xx?: number;
                                consecutive_connect_failures?: number;
                                enabled?: boolean;
                                max_ejection_percent?: number;
                            };
                        };
                        /** @enum {string} */
                        load_balancing?: "round_robin" | "least_requests" | "ring_hash";
                        /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                        name: string;
                        /** @description the upstream's base path, e.g. /pub */
                        path_prefix?: string;
                        retries?: {
                            budget_percent?: number;
                            max_retries?: number;
                            min_concurrent?: number;
                            retry_on_statuses?: number[];
                        };
                        /** @enum {string} */
                        scheme?: "http" | "https";
                        targets: {
                            host: string;
                            port: number;
                            weight?: number;
                        }[];
                        timeouts?: {
                            body_ms?: number;
                            connect_ms?: number;
                            header_ms?: number;
                            total_ms?: number;
                        };
                        tls?: {
                            ca_pem?: string;
                            server_name?: string;
                            /** @description false turns certificate verification off (explicit only) */
                            verify?: boolean;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            circuit_breaker?: {
                                max_connections?: number;
                                max_pending?: number;
                                max_requests?: number;
                            } & {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            created_at: string;
                            /** @description ring_hash key: exactly one of header, cookie, client_ip */
                            hash_on?: {
                                /** @enum {boolean} */
                                client_ip?: true;
                                cookie?: string;
                                header?: string;
                            } & {
                                [key: string]: unknown;
                            };
                            health_check?: {
                                active?: {
                                    healthy_threshold?: number;
                                    interval_ms?: number;
                                    path: string;
                                    timeout_ms?: number;
                                    unhealthy_threshold?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                passive?: {
                                    base_ejection_ms?: number;
                                    consecutive_5xx?: number;
                                    consecutive_connect_failures?: number;
                                    enabled?: boolean;
                                    max_ejection_percent?: number;
                                } & {
                                    [key: string]: unknown;
                                };
                            } & {
                                [key: string]: unknown;
                            };
                            id: string;
                            /** @enum {string} */
                            load_balancing?: "round_robin" | "least_requests" | "ring_hash";
                            /** @description unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters */
                            name: string;
                            /** @description the upstream's base path, e.g. /pub */
                            path_prefix?: string;
                            retries?: {
                                budget_percent?: number;
                                max_retries?: number;
                                min_concurrent?: number;
                                retry_on_statuses?: number[];
                            } & {
                                [key: string]: unknown;
                            };
                            /** @enum {string} */
                            scheme?: "http" | "https";
                            targets: ({
                                host: string;
                                port: number;
                                weight?: number;
                            } & {
                                [key: string]: unknown;
                            })[];
                            timeouts?: {
                                body_ms?: number;
                                connect_ms?: number;
                                header_ms?: number;
                                total_ms?: number;
                            } & {
                                [key: string]: unknown;
                            };
                            tls?: {
                                ca_pem?: string;
                                server_name?: string;
                                /** @description false turns certificate verification off (explicit only) */
                                verify?: boolean;
                            } & {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            updated_at: string;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
        };
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                /** @description stable error code (control-plane/README.md "Error codes") */
                                code: string;
                                /** @description dotted path of the field at fault */
                                field?: string;
                                message: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description no body */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
