using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nbdmux.Infrastructure.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class NodeClients : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "client_cuts",
                columns: table => new
                {
                    revision = table.Column<long>(type: "bigint", nullable: false),
                    export = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ordered_by = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_client_cuts", x => new { x.revision, x.export });
                });

            migrationBuilder.CreateTable(
                name: "node_clients",
                columns: table => new
                {
                    node = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    connection_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    export = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    peer = table.Column<string>(type: "text", nullable: false),
                    since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_node_clients", x => new { x.node, x.connection_id, x.export });
                });

            migrationBuilder.CreateIndex(
                name: "IX_node_clients_export",
                table: "node_clients",
                column: "export");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "client_cuts");

            migrationBuilder.DropTable(
                name: "node_clients");
        }
    }
}
