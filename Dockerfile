FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# The worker and the command line run from the TypeScript sources with tsx.
ENV NODE_ENV=production
CMD ["npm", "run", "worker"]
