/** Body of `POST /v1/config/versions`. */
export const publishSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    message: { type: "string", maxLength: 1000 },
    deploy: {
      type: "string",
      enum: ["all", "none"],
      description: "all (default): every node now; none: for a rollout",
    },
  },
} as const;
